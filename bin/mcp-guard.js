#!/usr/bin/env node
// The mcp-guard command: the CLI is TypeScript (src/cli/main.ts), run through tsx's loader.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
