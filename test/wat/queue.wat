  ;; Shared data and queues: proxy_on_configure registers queue "events" and stores shared data
  ;; greeting=hello. Each request logs the shared value and enqueues "item"; proxy_on_queue_ready (on the
  ;; root context) dequeues and logs the item.
  (data (i32.const 0x1000) "events")
  (data (i32.const 0x1008) "greeting")
  (data (i32.const 0x1010) "hello")
  (data (i32.const 0x1018) "item")
  (global $queue (mut i32) (i32.const 0))

  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (drop (call $proxy_register_shared_queue (i32.const 0x1000) (i32.const 6) (i32.const 0x30)))
    (global.set $queue (i32.load (i32.const 0x30)))
    (drop (call $proxy_set_shared_data (i32.const 0x1008) (i32.const 8) (i32.const 0x1010) (i32.const 5) (i32.const 0)))
    (i32.const 1))

  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (drop (call $proxy_get_shared_data (i32.const 0x1008) (i32.const 8) (i32.const 0x28) (i32.const 0x2c) (i32.const 0x34)))
    (call $log (i32.load (i32.const 0x28)) (i32.load (i32.const 0x2c)))
    (drop (call $proxy_enqueue_shared_queue (global.get $queue) (i32.const 0x1018) (i32.const 4)))
    (i32.const 0))

  (func (export "proxy_on_queue_ready") (param $root i32) (param $token i32)
    (drop (call $proxy_dequeue_shared_queue (local.get $token) (i32.const 0x28) (i32.const 0x2c)))
    (call $log (i32.load (i32.const 0x28)) (i32.load (i32.const 0x2c))))
