  ;; Shared by the small test modules (load.ts wraps "(module <prelude> <body>)" around every body file that
  ;; does not start with "(module"): every host import the bodies use, 2 pages of memory, a bump allocator
  ;; that grows memory, the ABI marker, and logging helpers.
  ;; Memory map: 0x20..0x3f call results, 0x300 log scratch, 0x1000.. body data segments, 0x10000.. heap.
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_value" (func $proxy_get_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_pairs" (func $proxy_get_header_map_pairs (param i32 i32 i32) (result i32)))
  (import "env" "proxy_add_header_map_value" (func $proxy_add_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_replace_header_map_value" (func $proxy_replace_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_remove_header_map_value" (func $proxy_remove_header_map_value (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_buffer_bytes" (func $proxy_get_buffer_bytes (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_buffer_bytes" (func $proxy_set_buffer_bytes (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_send_local_response" (func $proxy_send_local_response (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_continue_stream" (func $proxy_continue_stream (param i32) (result i32)))
  (import "env" "proxy_set_effective_context" (func $proxy_set_effective_context (param i32) (result i32)))
  (import "env" "proxy_http_call" (func $proxy_http_call (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_status" (func $proxy_get_status (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_property" (func $proxy_get_property (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_property" (func $proxy_set_property (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_define_metric" (func $proxy_define_metric (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_increment_metric" (func $proxy_increment_metric (param i32 i64) (result i32)))
  (import "env" "proxy_record_metric" (func $proxy_record_metric (param i32 i64) (result i32)))
  (import "env" "proxy_get_metric" (func $proxy_get_metric (param i32 i32) (result i32)))
  (import "env" "proxy_register_shared_queue" (func $proxy_register_shared_queue (param i32 i32 i32) (result i32)))
  (import "env" "proxy_enqueue_shared_queue" (func $proxy_enqueue_shared_queue (param i32 i32 i32) (result i32)))
  (import "env" "proxy_dequeue_shared_queue" (func $proxy_dequeue_shared_queue (param i32 i32 i32) (result i32)))
  (import "env" "proxy_set_shared_data" (func $proxy_set_shared_data (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_shared_data" (func $proxy_get_shared_data (param i32 i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 0x10000))
  (global $last_stream (mut i32) (i32.const 0))

  (func (export "proxy_abi_version_0_2_1"))

  ;; Bump allocator (never frees), 8-byte aligned, grows memory when the block does not fit.
  (func (export "proxy_on_memory_allocate") (param $size i32) (result i32)
    (local $block i32)
    (local.set $block (global.get $heap))
    (global.set $heap (i32.and (i32.add (i32.add (global.get $heap) (local.get $size)) (i32.const 7)) (i32.const -8)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.add (i32.const 1)
        (i32.div_u (i32.sub (global.get $heap) (i32.mul (memory.size) (i32.const 65536))) (i32.const 65536)))))))
    (local.get $block))

  ;; Remembers the newest stream context so root callbacks can address it with proxy_set_effective_context.
  (func (export "proxy_on_context_create") (param $id i32) (param $parent i32)
    (if (local.get $parent) (then (global.set $last_stream (local.get $id)))))

  ;; The stream is done: nothing pending (proxy_done is never needed).
  (func (export "proxy_on_done") (param $ctx i32) (result i32) (i32.const 1))
  (func (export "proxy_on_delete") (param $ctx i32))

  (func $log (param $ptr i32) (param $len i32)
    (drop (call $proxy_log (i32.const 2) (local.get $ptr) (local.get $len))))

  ;; 0-9 as '0'-'9', 10 and up as 'A', 'B', ...
  (func $digit (param $v i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $v) (i32.const 10))
      (then (i32.add (i32.const 48) (local.get $v)))
      (else (i32.add (i32.const 55) (local.get $v)))))

  ;; Logs "<tag>:<digit of code>".
  (func $log_code (param $tag i32) (param $len i32) (param $code i32)
    (local $i i32)
    (block $done (loop $copy
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (i32.store8 (i32.add (i32.const 0x300) (local.get $i)) (i32.load8_u (i32.add (local.get $tag) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $copy)))
    (i32.store8 (i32.add (i32.const 0x300) (local.get $len)) (i32.const 58))
    (i32.store8 (i32.add (i32.const 0x301) (local.get $len)) (call $digit (local.get $code)))
    (call $log (i32.const 0x300) (i32.add (local.get $len) (i32.const 2))))

  ;; proxy_get_header_map_value on request headers (0) or another map; value at [0x20] / size at [0x24].
  (func $get_header (param $map i32) (param $key i32) (param $len i32) (result i32)
    (i32.store (i32.const 0x20) (i32.const 0))
    (i32.store (i32.const 0x24) (i32.const 0))
    (call $proxy_get_header_map_value (local.get $map) (local.get $key) (local.get $len) (i32.const 0x20) (i32.const 0x24)))

  ;; Reads the whole buffer `type` into [0x28] / [0x2c]; returns the status.
  (func $read_buffer (param $type i32) (result i32)
    (i32.store (i32.const 0x28) (i32.const 0))
    (i32.store (i32.const 0x2c) (i32.const 0))
    (call $proxy_get_buffer_bytes (local.get $type) (i32.const 0) (i32.const -1) (i32.const 0x28) (i32.const 0x2c)))

  ;; Logs the whole content of buffer `type`.
  (func $log_buffer (param $type i32)
    (drop (call $read_buffer (local.get $type)))
    (call $log (i32.load (i32.const 0x28)) (i32.load (i32.const 0x2c))))
