  ;; Answers every HTTP callback with a digit from the plugin configuration:
  ;;   [0] request headers  [1] request body (not last)  [2] request body (last)  [3] request trailers
  ;;   [4] response headers [5] response body (not last) [6] response body (last) [7] response trailers
  ;; e.g. "01100000" buffers the request body. The last request body callback and the request trailers
  ;; callback log the whole request body buffer; the response side logs the response body the same way.
  ;; proxy_on_tick continues the request and then the response of the newest stream.
  (global $config (mut i32) (i32.const 0))
  (global $config_len (mut i32) (i32.const 0))

  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (drop (call $read_buffer (i32.const 7)))
    (global.set $config (i32.load (i32.const 0x28)))
    (global.set $config_len (i32.load (i32.const 0x2c)))
    (i32.const 1))

  ;; The digit at position $i of the configuration (0 when the configuration is shorter).
  (func $answer (param $i i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $i) (global.get $config_len))
      (then (i32.sub (i32.load8_u (i32.add (global.get $config) (local.get $i))) (i32.const 48)))
      (else (i32.const 0))))

  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (call $answer (i32.const 0)))

  (func (export "proxy_on_request_body") (param $ctx i32) (param $size i32) (param $eos i32) (result i32)
    (if (result i32) (local.get $eos)
      (then (call $log_buffer (i32.const 0)) (call $answer (i32.const 2)))
      (else (call $answer (i32.const 1)))))

  (func (export "proxy_on_request_trailers") (param $ctx i32) (param $n i32) (result i32)
    (call $log_buffer (i32.const 0))
    (call $answer (i32.const 3)))

  (func (export "proxy_on_response_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (call $answer (i32.const 4)))

  (func (export "proxy_on_response_body") (param $ctx i32) (param $size i32) (param $eos i32) (result i32)
    (if (result i32) (local.get $eos)
      (then (call $log_buffer (i32.const 1)) (call $answer (i32.const 6)))
      (else (call $answer (i32.const 5)))))

  (func (export "proxy_on_response_trailers") (param $ctx i32) (param $n i32) (result i32)
    (call $log_buffer (i32.const 1))
    (call $answer (i32.const 7)))

  (func (export "proxy_on_tick") (param $root i32)
    (drop (call $proxy_set_effective_context (global.get $last_stream)))
    (drop (call $proxy_continue_stream (i32.const 0)))
    (drop (call $proxy_continue_stream (i32.const 1))))
