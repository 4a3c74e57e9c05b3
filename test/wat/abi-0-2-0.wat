;; An ABI 0.2.0 module importing proxy_get_log_level, which Envoy registers only for 0.2.1.
(module
  (import "env" "proxy_get_log_level" (func (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_0"))
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 1024)))
