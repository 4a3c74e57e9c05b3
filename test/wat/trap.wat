  ;; Traps (`unreachable`) in proxy_on_request_headers when the request has an x-trap header, and in
  ;; proxy_on_response_headers when the response has one; otherwise adds x-filtered: yes to the request.
  (data (i32.const 0x1000) "x-trap")
  (data (i32.const 0x1008) "x-filtered")
  (data (i32.const 0x1018) "yes")

  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (if (i32.eqz (call $get_header (i32.const 0) (i32.const 0x1000) (i32.const 6))) (then unreachable))
    (drop (call $proxy_add_header_map_value (i32.const 0) (i32.const 0x1008) (i32.const 10) (i32.const 0x1018) (i32.const 3)))
    (i32.const 0))

  (func (export "proxy_on_response_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (if (i32.eqz (call $get_header (i32.const 2) (i32.const 0x1000) (i32.const 6))) (then unreachable))
    (i32.const 0))
