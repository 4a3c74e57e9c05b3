  ;; Request headers: proxy_http_call to cluster "auth" (GET /check, :authority auth, timeout 5000 ms), logs
  ;; "call:<rc>" and pauses. The answer arrives at the ROOT context: it logs "response-headers:<count>", then
  ;; makes the stream effective and either adds x-auth: <response body> to the request and continues it, or
  ;; (0 headers = failed call) logs "status:<proxy_get_status code>" and sends a 503 local reply.
  (data (i32.const 0x1000) "auth")
  ;; 3 pairs: :method GET, :path /check, :authority auth (69 bytes)
  (data (i32.const 0x1010) "\03\00\00\00\07\00\00\00\03\00\00\00\05\00\00\00\06\00\00\00\0a\00\00\00\04\00\00\00:method\00GET\00:path\00/check\00:authority\00auth\00")
  (data (i32.const 0x1060) "call")
  (data (i32.const 0x1068) "response-headers")
  (data (i32.const 0x1080) "x-auth")
  (data (i32.const 0x1088) "status")
  (data (i32.const 0x1090) "auth_failed")

  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (call $log_code (i32.const 0x1060) (i32.const 4)
      (call $proxy_http_call (i32.const 0x1000) (i32.const 4) (i32.const 0x1010) (i32.const 69)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 5000) (i32.const 0x30)))
    (i32.const 1))

  (func (export "proxy_on_http_call_response") (param $root i32) (param $token i32) (param $headers i32) (param $body i32) (param $trailers i32)
    (call $log_code (i32.const 0x1068) (i32.const 16) (local.get $headers))
    (drop (call $read_buffer (i32.const 4)))
    (drop (call $proxy_set_effective_context (global.get $last_stream)))
    (if (local.get $headers)
      (then
        (drop (call $proxy_add_header_map_value (i32.const 0) (i32.const 0x1080) (i32.const 6)
          (i32.load (i32.const 0x28)) (i32.load (i32.const 0x2c))))
        (drop (call $proxy_continue_stream (i32.const 0))))
      (else
        (drop (call $proxy_get_status (i32.const 0x30) (i32.const 0x34) (i32.const 0x38)))
        (call $log_code (i32.const 0x1088) (i32.const 6) (i32.load (i32.const 0x30)))
        (drop (call $proxy_send_local_response (i32.const 503) (i32.const 0x1090) (i32.const 11)
          (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const -1))))))
