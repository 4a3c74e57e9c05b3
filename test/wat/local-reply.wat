  ;; Sends a local reply (403, details "denied by policy", body "blocked", header x-reason: policy) from the
  ;; callback named by the first byte of the plugin configuration, then logs "after:<status>" from the same
  ;; callback and answers Continue anyway:
  ;;   'h' request headers, 'b' last request body chunk, 'r' response headers, 'd' response body.
  ;; The response callbacks log "response-headers:<count>" / "response-body" so tests can see whether the local
  ;; reply passed through the filter.
  (data (i32.const 0x1000) "denied by policy")
  (data (i32.const 0x1010) "blocked")
  ;; one pair: x-reason: policy
  (data (i32.const 0x1020) "\01\00\00\00\08\00\00\00\06\00\00\00x-reason\00policy\00")
  (data (i32.const 0x1040) "after")
  (data (i32.const 0x1050) "response-headers")
  (data (i32.const 0x1060) "response-body")
  (global $where (mut i32) (i32.const 0))

  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (drop (call $read_buffer (i32.const 7)))
    (global.set $where (i32.load8_u (i32.load (i32.const 0x28))))
    (i32.const 1))

  (func $reply_if (param $here i32)
    (if (i32.eq (global.get $where) (local.get $here))
      (then (call $log_code (i32.const 0x1040) (i32.const 5)
        (call $proxy_send_local_response (i32.const 403) (i32.const 0x1000) (i32.const 16) (i32.const 0x1010) (i32.const 7)
          (i32.const 0x1020) (i32.const 28) (i32.const -1))))))

  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (call $reply_if (i32.const 104)) ;; 'h'
    (i32.const 0))

  (func (export "proxy_on_request_body") (param $ctx i32) (param $size i32) (param $eos i32) (result i32)
    (if (local.get $eos) (then (call $reply_if (i32.const 98)))) ;; 'b'
    (i32.const 0))

  (func (export "proxy_on_response_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (call $log_code (i32.const 0x1050) (i32.const 16) (local.get $n))
    (call $reply_if (i32.const 114)) ;; 'r'
    (i32.const 0))

  (func (export "proxy_on_response_body") (param $ctx i32) (param $size i32) (param $eos i32) (result i32)
    (call $log (i32.const 0x1060) (i32.const 13))
    (call $reply_if (i32.const 100)) ;; 'd'
    (i32.const 0))
