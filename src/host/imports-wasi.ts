// WASI functions as proxy-wasm-cpp-host provides them (src/exports.cc, wasi_unstable_*): stdout / stderr go
// to the log (info / error, one trailing newline removed), clocks, randomness and environment variables work,
// proc_exit only logs (at trace, like Envoy's Context::error), and the file-system calls answer fixed errors.
import { randomFillSync } from "node:crypto";
import { Errno, Limits, LogLevel } from "./abi.ts";
import { fromUtf8, utf8, concatBytes } from "./bytes.ts";
import type { Runtime } from "./runtime.ts";
import type { HostFunction } from "./vm.ts";

const u32 = (v: number) => v >>> 0;
const isStdio = (fd: number) => fd === 1 || fd === 2;

export function wasiHostFunctions(rt: Runtime): Record<string, HostFunction> {
  const mem = rt.vm.memory;
  const traceLog = (message: string) => rt.log(LogLevel.Trace, message, rt.activeContext().id, "host");
  const stdioOnly = (fd: number) => (isStdio(fd) ? Errno.Success : Errno.Badf);

  /** writev to the log: returns [errno, bytes written]. */
  const writev = (fd: number, iovs: number, count: number): [number, number] => {
    let level: number;
    if (fd === 1) level = LogLevel.Info;
    else if (fd === 2) level = LogLevel.Error;
    else return [Errno.Badf, 0];
    const parts: Uint8Array[] = [];
    for (let i = 0; i < u32(count); i++) {
      const buf = mem.readU32(u32(iovs) + i * 8);
      const len = mem.readU32(u32(iovs) + i * 8 + 4);
      if (buf === null || len === null) return [Errno.Fault, 0];
      if (len === 0) continue;
      const bytes = mem.read(buf, len);
      if (!bytes) return [Errno.Fault, 0];
      parts.push(bytes);
    }
    const data = concatBytes(parts);
    if (data.length > 0) {
      let text = fromUtf8(data);
      if (text.endsWith("\n")) text = text.slice(0, -1);
      rt.log(level, text, rt.activeContext().id, "module");
    }
    return [Errno.Success, data.length];
  };

  const functions: Record<string, (...args: never[]) => number | void> = {
    fd_write: (fd: number, iovs: number, count: number, nwrittenPtr: number) => {
      const [errno, written] = writev(u32(fd), iovs, count);
      if (errno !== Errno.Success) return errno;
      return mem.writeU32(u32(nwrittenPtr), written) ? Errno.Success : Errno.Fault;
    },
    fd_pwrite: (fd: number, iovs: number, count: number, _offset: bigint, nwrittenPtr: number) => {
      if (!isStdio(u32(fd))) return Errno.Badf;
      const [errno, written] = writev(u32(fd), iovs, count);
      if (errno !== Errno.Success) return errno;
      return mem.writeU32(u32(nwrittenPtr), written) ? Errno.Success : Errno.Fault;
    },
    fd_read: () => Errno.Nosys,
    fd_pread: () => Errno.Nosys,
    fd_seek: () => {
      traceLog("wasi_unstable fd_seek");
      return Errno.Success;
    },
    fd_close: () => {
      traceLog("wasi_unstable fd_close");
      return Errno.Success;
    },
    fd_fdstat_get: (fd: number, statPtr: number) => {
      if (!isStdio(u32(fd))) return Errno.Badf;
      // filetype/flags 0, rights_base = FD_WRITE (64), rights_inheriting 0; a write failure is ignored (as in cpp-host).
      mem.writeU64(u32(statPtr), 0n);
      mem.writeU64(u32(statPtr) + 8, 64n);
      mem.writeU64(u32(statPtr) + 16, 0n);
      return Errno.Success;
    },
    fd_fdstat_set_flags: () => Errno.Nosys,
    fd_fdstat_set_rights: (fd: number) => stdioOnly(u32(fd)),
    fd_advise: () => Errno.Success,
    fd_allocate: (fd: number) => stdioOnly(u32(fd)),
    fd_datasync: (fd: number) => stdioOnly(u32(fd)),
    fd_filestat_set_size: (fd: number) => stdioOnly(u32(fd)),
    fd_filestat_set_times: (fd: number) => stdioOnly(u32(fd)),
    fd_sync: (fd: number) => stdioOnly(u32(fd)),
    fd_readdir: (_fd: number, _buf: number, _len: number, _cookie: bigint, nreadPtr: number) =>
      mem.writeU32(u32(nreadPtr), 0) ? Errno.Notdir : Errno.Fault,
    fd_renumber: (fd: number, to: number) => (isStdio(u32(fd)) && isStdio(u32(to)) ? Errno.Notsup : Errno.Badf),
    fd_tell: (fd: number, ptr: number) => {
      if (!isStdio(u32(fd))) return Errno.Badf;
      return mem.writeU64(u32(ptr), 0n) ? Errno.Success : Errno.Fault;
    },
    fd_prestat_get: () => Errno.Badf,
    fd_prestat_dir_name: () => Errno.Nosys,
    fd_filestat_get: () => Errno.Badf,
    path_open: () => Errno.Noent,
    path_filestat_get: () => Errno.Notsup,
    path_create_directory: () => Errno.Notsup,
    path_filestat_set_times: () => Errno.Notsup,
    path_link: () => Errno.Notsup,
    path_readlink: (_fd: number, _p: number, _pl: number, _buf: number, _bl: number, retPtr: number) =>
      mem.writeU32(u32(retPtr), 0) ? Errno.Notsup : Errno.Fault,
    path_remove_directory: () => Errno.Notsup,
    path_rename: () => Errno.Notsup,
    path_symlink: () => Errno.Notsup,
    path_unlink_file: () => Errno.Notsup,
    sock_accept: (_fd: number, _flags: number, retPtr: number) => (mem.writeU64(u32(retPtr), 0n) ? Errno.Notsup : Errno.Fault),
    sock_recv: (_fd: number, _ri: number, _rl: number, _flags: number, ret0: number, ret1: number) =>
      mem.writeU32(u32(ret0), 0) && mem.write(u32(ret1), new Uint8Array(2)) ? Errno.Notsup : Errno.Fault,
    sock_send: (_fd: number, _si: number, _sl: number, _flags: number, ret0: number) => (mem.writeU32(u32(ret0), 0) ? Errno.Notsup : Errno.Fault),
    sock_shutdown: () => Errno.Notsup,

    environ_sizes_get: (countPtr: number, sizePtr: number) => {
      const entries = rt.environ();
      if (!mem.writeU32(u32(countPtr), entries.length)) return Errno.Fault;
      const size = entries.reduce((sum, e) => sum + e.length, 0);
      return mem.writeU32(u32(sizePtr), size) ? Errno.Success : Errno.Fault;
    },
    environ_get: (arrayPtr: number, bufPtr: number) => {
      let array = u32(arrayPtr);
      let buf = u32(bufPtr);
      for (const entry of rt.environ()) {
        if (!mem.writeU32(array, buf) || !mem.write(buf, entry)) return Errno.Fault;
        buf += entry.length;
        array += 4;
      }
      return Errno.Success;
    },
    args_sizes_get: (argcPtr: number, sizePtr: number) =>
      mem.writeU32(u32(argcPtr), 0) && mem.writeU32(u32(sizePtr), 0) ? Errno.Success : Errno.Fault,
    args_get: () => Errno.Success,

    clock_time_get: (id: number, _precision: bigint, ptr: number) => {
      const clock = u32(id);
      if (clock > 1) return Errno.Notsup;
      return mem.writeU64(u32(ptr), clock === 0 ? rt.clockNs() : rt.monotonicNs()) ? Errno.Success : Errno.Fault;
    },
    clock_res_get: (id: number, ptr: number) => {
      if (u32(id) > 1) return Errno.Notsup;
      return mem.writeU64(u32(ptr), 1n) ? Errno.Success : Errno.Fault;
    },
    random_get: (ptr: number, len: number) => {
      const size = u32(len);
      if (size > Limits.randomGetMaxBytes) return Errno.Inval;
      if (size === 0) return Errno.Success;
      return mem.write(u32(ptr), randomFillSync(new Uint8Array(size))) ? Errno.Success : Errno.Fault;
    },
    sched_yield: () => Errno.Success,
    poll_oneoff: (_in: number, _out: number, _n: number, neventsPtr: number) => (mem.writeU32(u32(neventsPtr), 0) ? Errno.Success : Errno.Fault),
    proc_exit: () => {
      traceLog("wasi_unstable proc_exit");
    },
  };
  return functions as Record<string, HostFunction>;
}

/** "KEY=VALUE\0" entries of the WASI environment. */
export function encodeEnviron(env: Record<string, string> | undefined): Uint8Array[] {
  return Object.entries(env ?? {}).map(([k, v]) => utf8(`${k}=${v}\0`));
}
