  ;; Buffers the request body and, on the last chunk, calls proxy_set_buffer_bytes in the mode named by the
  ;; first byte of the plugin configuration, logs "set:<rc>" and continues:
  ;;   'p' prepend "<<" (0, 0)   'r' replace all with "NEW" (0, size)   'a' append ">>" (size, 0)
  ;;   'f' replace the first 2 bytes with "Z" (0, 2)                  'm' middle (1, 1) = BAD_ARGUMENT
  ;; The response: content-length removed from the headers, body buffered and replaced by "rewritten".
  (data (i32.const 0x1000) "<<")
  (data (i32.const 0x1004) "NEW")
  (data (i32.const 0x1008) ">>")
  (data (i32.const 0x100c) "Z")
  (data (i32.const 0x1010) "X")
  (data (i32.const 0x1014) "set")
  (data (i32.const 0x1020) "rewritten")
  (data (i32.const 0x1030) "content-length")
  (global $mode (mut i32) (i32.const 0))

  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (drop (call $read_buffer (i32.const 7)))
    (global.set $mode (i32.load8_u (i32.load (i32.const 0x28))))
    (i32.const 1))

  (func $set (param $start i32) (param $len i32) (param $ptr i32) (param $size i32)
    (call $log_code (i32.const 0x1014) (i32.const 3)
      (call $proxy_set_buffer_bytes (i32.const 0) (local.get $start) (local.get $len) (local.get $ptr) (local.get $size))))

  (func (export "proxy_on_request_body") (param $ctx i32) (param $size i32) (param $eos i32) (result i32)
    (if (i32.eqz (local.get $eos)) (then (return (i32.const 1))))
    (if (i32.eq (global.get $mode) (i32.const 112)) (then (call $set (i32.const 0) (i32.const 0) (i32.const 0x1000) (i32.const 2))))
    (if (i32.eq (global.get $mode) (i32.const 114)) (then (call $set (i32.const 0) (local.get $size) (i32.const 0x1004) (i32.const 3))))
    (if (i32.eq (global.get $mode) (i32.const 97)) (then (call $set (local.get $size) (i32.const 0) (i32.const 0x1008) (i32.const 2))))
    (if (i32.eq (global.get $mode) (i32.const 102)) (then (call $set (i32.const 0) (i32.const 2) (i32.const 0x100c) (i32.const 1))))
    (if (i32.eq (global.get $mode) (i32.const 109)) (then (call $set (i32.const 1) (i32.const 1) (i32.const 0x1010) (i32.const 1))))
    (i32.const 0))

  (func (export "proxy_on_response_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (drop (call $proxy_remove_header_map_value (i32.const 2) (i32.const 0x1030) (i32.const 14)))
    (i32.const 0))

  (func (export "proxy_on_response_body") (param $ctx i32) (param $size i32) (param $eos i32) (result i32)
    (if (i32.eqz (local.get $eos)) (then (return (i32.const 1))))
    (drop (call $proxy_set_buffer_bytes (i32.const 1) (i32.const 0) (local.get $size) (i32.const 0x1020) (i32.const 9)))
    (i32.const 0))
