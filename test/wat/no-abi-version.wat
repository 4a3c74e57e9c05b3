;; Lacks the proxy_abi_version_* marker export.
(module
  (memory (export "memory") 1)
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 1024)))
