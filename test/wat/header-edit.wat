  ;; Edits headers while they are stopped and again after they continued:
  ;;  - request headers: adds x-added: 1, answers Continue (or StopIteration when the plugin configuration
  ;;    is "1", the "hold" mode that needs allowOnHeadersStopIteration);
  ;;  - request body: replaces x-late: 1, reads x-added and the whole map, adds a trailer on the last chunk, and
  ;;    logs "late-replace:<rc>", "late-get:<rc>", "late-pairs:<number of pairs>", "add-trailer:<rc>";
  ;;  - response headers: replaces server: wasm, answers Continue;
  ;;  - response body: logs "late-response-remove:<rc>";
  ;;  - on_log: logs "log-get:<rc>" for request header x-added and "log-trailers:<rc>" for a request trailer.
  (data (i32.const 0x1000) "x-added")
  (data (i32.const 0x1008) "1")
  (data (i32.const 0x1010) "x-late")
  (data (i32.const 0x1020) "late-replace")
  (data (i32.const 0x1030) "late-get")
  (data (i32.const 0x1040) "late-pairs")
  (data (i32.const 0x1050) "server")
  (data (i32.const 0x1058) "wasm")
  (data (i32.const 0x1060) "late-response-remove")
  (data (i32.const 0x1080) "log-get")
  (data (i32.const 0x1088) "log-trailers")
  (data (i32.const 0x10a0) "x-trailer")
  (data (i32.const 0x10b0) "add-trailer")

  (global $hold (mut i32) (i32.const 0))

  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (if (local.get $size)
      (then
        (drop (call $read_buffer (i32.const 7)))
        (global.set $hold (i32.eq (i32.load8_u (i32.load (i32.const 0x28))) (i32.const 49)))))
    (i32.const 1))

  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (drop (call $proxy_add_header_map_value (i32.const 0) (i32.const 0x1000) (i32.const 7) (i32.const 0x1008) (i32.const 1)))
    (global.get $hold))

  (func (export "proxy_on_request_body") (param $ctx i32) (param $size i32) (param $eos i32) (result i32)
    (call $log_code (i32.const 0x1020) (i32.const 12)
      (call $proxy_replace_header_map_value (i32.const 0) (i32.const 0x1010) (i32.const 6) (i32.const 0x1008) (i32.const 1)))
    (call $log_code (i32.const 0x1030) (i32.const 8) (call $get_header (i32.const 0) (i32.const 0x1000) (i32.const 7)))
    (i32.store (i32.const 0x24) (i32.const 99))
    (drop (call $proxy_get_header_map_pairs (i32.const 0) (i32.const 0x20) (i32.const 0x24)))
    (call $log_code (i32.const 0x1040) (i32.const 10)
      (if (result i32) (i32.load (i32.const 0x24)) (then (i32.load (i32.load (i32.const 0x20)))) (else (i32.const 0))))
    (if (local.get $eos)
      (then (call $log_code (i32.const 0x10b0) (i32.const 11)
        (call $proxy_add_header_map_value (i32.const 1) (i32.const 0x10a0) (i32.const 9) (i32.const 0x1008) (i32.const 1)))))
    (i32.const 0))

  (func (export "proxy_on_response_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (drop (call $proxy_replace_header_map_value (i32.const 2) (i32.const 0x1050) (i32.const 6) (i32.const 0x1058) (i32.const 4)))
    (i32.const 0))

  (func (export "proxy_on_response_body") (param $ctx i32) (param $size i32) (param $eos i32) (result i32)
    (call $log_code (i32.const 0x1060) (i32.const 20)
      (call $proxy_remove_header_map_value (i32.const 2) (i32.const 0x1050) (i32.const 6)))
    (i32.const 0))

  (func (export "proxy_on_log") (param $ctx i32)
    (call $log_code (i32.const 0x1080) (i32.const 7) (call $get_header (i32.const 0) (i32.const 0x1000) (i32.const 7)))
    (call $log_code (i32.const 0x1088) (i32.const 12) (call $get_header (i32.const 1) (i32.const 0x10a0) (i32.const 9))))
