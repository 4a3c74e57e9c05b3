;; Calls proxy_get_log_level from _initialize, where Envoy allows only logging, clocks, random, environment and
;; a few WASI calls: the call traps ("restricted_callback") and the VM fails to start.
(module
  (import "env" "proxy_get_log_level" (func $get_log_level (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 1024))
  (func (export "_initialize") (drop (call $get_log_level (i32.const 16)))))
