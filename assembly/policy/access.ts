// What one caller may use: the workload's defaults, or the first per-identity rule that matches the caller.
// The same policy decides the caller's calls and filters the lists the caller is shown.
import { NameList } from "./name_list";
import { UriPrefixes } from "./resource_uri";

export class AccessPolicy {
  constructor(
    public name: string,
    public tools: NameList,
    // null: every prompt allowed.
    public prompts: NameList | null,
    public resourcePrefixes: UriPrefixes,
  ) {}
}

// Who a rule applies to. Every condition given must hold; inside one list, any entry may match.
export class RuleMatch {
  principals: NameList | null = null;
  users: NameList | null = null;
  // JWT claim name → accepted values (a list claim matches when it contains one of them).
  claimNames: Array<string> = new Array<string>();
  claimValues: Array<NameList> = new Array<NameList>();
}

export class AccessRule {
  match: RuleMatch = new RuleMatch();
  constructor(public access: AccessPolicy) {}
}
