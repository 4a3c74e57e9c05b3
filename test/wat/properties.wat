  ;; Answers every request with the property whose path is given in the request header x-prop (tests put
  ;; "\0" between segments): 200 with the raw value as body, or 404 with the status digit as body. When the
  ;; request also has x-set, the module first sets that property to "written" and logs "set:<rc>".
  ;; proxy_on_configure logs "root-set:<rc>" for a set_property on the root context.
  (data (i32.const 0x1000) "x-prop")
  (data (i32.const 0x1008) "x-set")
  (data (i32.const 0x1010) "written")
  (data (i32.const 0x1018) "set")
  (data (i32.const 0x1020) "prop")
  (data (i32.const 0x1028) "missing")
  (data (i32.const 0x1030) "root-set")
  (data (i32.const 0x1040) "anything")

  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (call $log_code (i32.const 0x1030) (i32.const 8)
      (call $proxy_set_property (i32.const 0x1040) (i32.const 8) (i32.const 0x1010) (i32.const 7)))
    (i32.const 1))

  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (local $rc i32)
    (if (i32.eqz (call $get_header (i32.const 0) (i32.const 0x1008) (i32.const 5)))
      (then (call $log_code (i32.const 0x1018) (i32.const 3)
        (call $proxy_set_property (i32.load (i32.const 0x20)) (i32.load (i32.const 0x24)) (i32.const 0x1010) (i32.const 7)))))
    (drop (call $get_header (i32.const 0) (i32.const 0x1000) (i32.const 6)))
    (local.set $rc (call $proxy_get_property (i32.load (i32.const 0x20)) (i32.load (i32.const 0x24)) (i32.const 0x28) (i32.const 0x2c)))
    (if (i32.eqz (local.get $rc))
      (then (drop (call $proxy_send_local_response (i32.const 200) (i32.const 0x1020) (i32.const 4)
        (i32.load (i32.const 0x28)) (i32.load (i32.const 0x2c)) (i32.const 0) (i32.const 0) (i32.const -1))))
      (else
        (i32.store8 (i32.const 0x40) (call $digit (local.get $rc)))
        (drop (call $proxy_send_local_response (i32.const 404) (i32.const 0x1028) (i32.const 7)
          (i32.const 0x40) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const -1)))))
    (i32.const 1))
