  ;; proxy_on_vm_start defines a counter, a gauge and a histogram (and tries metric type 3, logging
  ;; "bad-type:<rc>"). Every request increments the counter and the gauge, records 5 in the histogram and logs
  ;; "negative:<rc>" (counter decrement) and "histogram-get:<rc>"; proxy_on_log decrements the gauge.
  (data (i32.const 0x1000) "requests_total")
  (data (i32.const 0x1010) "inflight")
  (data (i32.const 0x1018) "latency_ms")
  (data (i32.const 0x1030) "bad-type")
  (data (i32.const 0x1040) "negative")
  (data (i32.const 0x1050) "histogram-get")
  (global $counter (mut i32) (i32.const 0))
  (global $gauge (mut i32) (i32.const 0))
  (global $histogram (mut i32) (i32.const 0))

  (func (export "proxy_on_vm_start") (param $root i32) (param $size i32) (result i32)
    (drop (call $proxy_define_metric (i32.const 0) (i32.const 0x1000) (i32.const 14) (i32.const 0x30)))
    (global.set $counter (i32.load (i32.const 0x30)))
    (drop (call $proxy_define_metric (i32.const 1) (i32.const 0x1010) (i32.const 8) (i32.const 0x30)))
    (global.set $gauge (i32.load (i32.const 0x30)))
    (drop (call $proxy_define_metric (i32.const 2) (i32.const 0x1018) (i32.const 10) (i32.const 0x30)))
    (global.set $histogram (i32.load (i32.const 0x30)))
    (call $log_code (i32.const 0x1030) (i32.const 8)
      (call $proxy_define_metric (i32.const 3) (i32.const 0x1000) (i32.const 14) (i32.const 0x30)))
    (i32.const 1))

  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (drop (call $proxy_increment_metric (global.get $counter) (i64.const 1)))
    (drop (call $proxy_increment_metric (global.get $gauge) (i64.const 1)))
    (drop (call $proxy_record_metric (global.get $histogram) (i64.const 5)))
    (call $log_code (i32.const 0x1040) (i32.const 8) (call $proxy_increment_metric (global.get $counter) (i64.const -1)))
    (call $log_code (i32.const 0x1050) (i32.const 13) (call $proxy_get_metric (global.get $histogram) (i32.const 0x38)))
    (i32.const 0))

  (func (export "proxy_on_log") (param $ctx i32)
    (drop (call $proxy_increment_metric (global.get $gauge) (i64.const -1))))
