;; The float32 GEMM of the im2col-simd kernel: WebAssembly SIMD (f32x4), assembled by
;; scripts/build.mjs with wabt into gemm.wasm (generated, not committed).
;;
;;   C[M × N] += A[M × K] · B[K × N]
;;
;; A and B arrive packed in this module's memory (imported as env.memory, shared so
;; that a worker thread can run the same GEMM on other rows of C), by the
;; caller: A in panels of 4 rows, B in panels of 4 columns, each panel k-major
;; (16 bytes per k step) over the full depth K, so panel p starts at 16·K·p bytes.
;; C is row-major float32 with `ldc` elements per row and is ACCUMULATED into (the
;; caller stores the bias or zeros first).
;;
;; Float model: every product is an f32x4.mul (rounded to float32) and every sum an
;; f32x4.add (rounded to float32), in increasing k, starting from C: exactly a
;; float32 dot product. No FMA, so results are bit-exact on exact data and within
;; the float32 dot-product bound otherwise. Depth slices of KC = 256 are summed in
;; turn through C (stored as float32 between slices), which changes nothing in
;; that sequence of roundings.
;;
;; Blocking: the register tile is 4 × 12 (see $tile), the depth slice KC = 256 keeps
;; a 12 × 256 B sliver (12 KiB) in L1 and the M × 256 A block in L2; loop order
;; slice → 12-column sliver → 4-row panel (BLIS's jr/ir order).
;; A last sliver of 8 or 4 columns (4 whole rows) runs on C through a 4 × 8 or
;; 4 × 4 tile ($tile8, $tile4: the same instruction sequence per element, fewer
;; B panels). Other edge tiles (fewer than 4 rows, or a column count not a
;; multiple of 4) go through a 4 × 12 scratch tile at `scratch` (192 bytes): the
;; valid corner is copied in, the narrowest tile covering it computed, the valid
;; corner copied back. Columns of B past N are read up to the tile's width (the
;; caller sizes the B region to a multiple of 12 columns) but their lanes are
;; discarded; rows of A past M likewise.
(module
  (import "env" "memory" (memory 1 16384 shared))

  ;; One 4 × 12 tile: C[4 × 12] += A panel[4 × kc] · B panels[kc × 12], all float32.
  ;; $a: packed A, 4 rows interleaved per k (16 bytes per k).
  ;; $b: first of three packed B panels, 4 columns interleaved per k; the next
  ;;     panels start $ps bytes further (the panel stride: 16 · full depth K), and
  ;;     each k step is $step bytes (16; for a row-major B, see "gemmRowB", the row).
  ;; $c: C tile, row-major, $ldc bytes between rows.
  ;; Registers: 12 accumulators + 3 B vectors + 1 broadcast A value = 16 v128.
  (func $tile (param $kc i32) (param $a i32) (param $b i32) (param $ps i32) (param $step i32) (param $c i32) (param $ldc i32)
    (local $b1 i32) (local $b2 i32) (local $end i32) (local $row i32)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c20 v128) (local $c21 v128) (local $c22 v128) (local $c30 v128) (local $c31 v128) (local $c32 v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $s v128)
    (local.set $b1 (i32.add (local.get $b) (local.get $ps)))
    (local.set $b2 (i32.add (local.get $b1) (local.get $ps)))
    (local.set $end (i32.add (local.get $b) (i32.mul (local.get $kc) (local.get $step))))
    ;; Start from C (bias, or the sum of the earlier depth slices).
    (local.set $row (local.get $c))
    (local.set $c00 (v128.load offset=0 (local.get $row)))
    (local.set $c01 (v128.load offset=16 (local.get $row)))
    (local.set $c02 (v128.load offset=32 (local.get $row)))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (local.set $c10 (v128.load offset=0 (local.get $row)))
    (local.set $c11 (v128.load offset=16 (local.get $row)))
    (local.set $c12 (v128.load offset=32 (local.get $row)))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (local.set $c20 (v128.load offset=0 (local.get $row)))
    (local.set $c21 (v128.load offset=16 (local.get $row)))
    (local.set $c22 (v128.load offset=32 (local.get $row)))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (local.set $c30 (v128.load offset=0 (local.get $row)))
    (local.set $c31 (v128.load offset=16 (local.get $row)))
    (local.set $c32 (v128.load offset=32 (local.get $row)))
    (block $empty
      (br_if $empty (i32.eqz (local.get $kc)))
      (loop $k
        (local.set $x0 (v128.load (local.get $b)))
        (local.set $x1 (v128.load (local.get $b1)))
        (local.set $x2 (v128.load (local.get $b2)))
        (local.set $s (v128.load32_splat offset=0 (local.get $a)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $x0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $x1))))
        (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $s) (local.get $x2))))
        (local.set $s (v128.load32_splat offset=4 (local.get $a)))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $x0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $x1))))
        (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $s) (local.get $x2))))
        (local.set $s (v128.load32_splat offset=8 (local.get $a)))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $x0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $x1))))
        (local.set $c22 (f32x4.add (local.get $c22) (f32x4.mul (local.get $s) (local.get $x2))))
        (local.set $s (v128.load32_splat offset=12 (local.get $a)))
        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $x0))))
        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $x1))))
        (local.set $c32 (f32x4.add (local.get $c32) (f32x4.mul (local.get $s) (local.get $x2))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (local.get $step)))
        (local.set $b1 (i32.add (local.get $b1) (local.get $step)))
        (local.set $b2 (i32.add (local.get $b2) (local.get $step)))
        (br_if $k (i32.lt_u (local.get $b) (local.get $end)))))
    (local.set $row (local.get $c))
    (v128.store offset=0 (local.get $row) (local.get $c00))
    (v128.store offset=16 (local.get $row) (local.get $c01))
    (v128.store offset=32 (local.get $row) (local.get $c02))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store offset=0 (local.get $row) (local.get $c10))
    (v128.store offset=16 (local.get $row) (local.get $c11))
    (v128.store offset=32 (local.get $row) (local.get $c12))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store offset=0 (local.get $row) (local.get $c20))
    (v128.store offset=16 (local.get $row) (local.get $c21))
    (v128.store offset=32 (local.get $row) (local.get $c22))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store offset=0 (local.get $row) (local.get $c30))
    (v128.store offset=16 (local.get $row) (local.get $c31))
    (v128.store offset=32 (local.get $row) (local.get $c32))
  )

  ;; The 4 × 8 tile: $tile with two B panels (8 accumulators + 2 B + 1 A), for a last
  ;; sliver of 5 to 8 columns. The same instructions per element in the same order, so
  ;; the same bits as the 4 × 12 tile.
  (func $tile8 (param $kc i32) (param $a i32) (param $b i32) (param $ps i32) (param $step i32) (param $c i32) (param $ldc i32)
    (local $b1 i32) (local $end i32) (local $row i32)
    (local $e00 v128) (local $e01 v128) (local $e10 v128) (local $e11 v128) (local $e20 v128) (local $e21 v128) (local $e30 v128) (local $e31 v128)
    (local $x0 v128) (local $x1 v128) (local $s v128)
    (local.set $b1 (i32.add (local.get $b) (local.get $ps)))
    (local.set $end (i32.add (local.get $b) (i32.mul (local.get $kc) (local.get $step))))
    ;; Start from C (bias, or the sum of the earlier depth slices).
    (local.set $row (local.get $c))
    (local.set $e00 (v128.load offset=0 (local.get $row)))
    (local.set $e01 (v128.load offset=16 (local.get $row)))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (local.set $e10 (v128.load offset=0 (local.get $row)))
    (local.set $e11 (v128.load offset=16 (local.get $row)))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (local.set $e20 (v128.load offset=0 (local.get $row)))
    (local.set $e21 (v128.load offset=16 (local.get $row)))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (local.set $e30 (v128.load offset=0 (local.get $row)))
    (local.set $e31 (v128.load offset=16 (local.get $row)))
    (block $empty
      (br_if $empty (i32.eqz (local.get $kc)))
      (loop $k
        (local.set $x0 (v128.load (local.get $b)))
        (local.set $x1 (v128.load (local.get $b1)))
        (local.set $s (v128.load32_splat offset=0 (local.get $a)))
        (local.set $e00 (f32x4.add (local.get $e00) (f32x4.mul (local.get $s) (local.get $x0))))
        (local.set $e01 (f32x4.add (local.get $e01) (f32x4.mul (local.get $s) (local.get $x1))))
        (local.set $s (v128.load32_splat offset=4 (local.get $a)))
        (local.set $e10 (f32x4.add (local.get $e10) (f32x4.mul (local.get $s) (local.get $x0))))
        (local.set $e11 (f32x4.add (local.get $e11) (f32x4.mul (local.get $s) (local.get $x1))))
        (local.set $s (v128.load32_splat offset=8 (local.get $a)))
        (local.set $e20 (f32x4.add (local.get $e20) (f32x4.mul (local.get $s) (local.get $x0))))
        (local.set $e21 (f32x4.add (local.get $e21) (f32x4.mul (local.get $s) (local.get $x1))))
        (local.set $s (v128.load32_splat offset=12 (local.get $a)))
        (local.set $e30 (f32x4.add (local.get $e30) (f32x4.mul (local.get $s) (local.get $x0))))
        (local.set $e31 (f32x4.add (local.get $e31) (f32x4.mul (local.get $s) (local.get $x1))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (local.get $step)))
        (local.set $b1 (i32.add (local.get $b1) (local.get $step)))
        (br_if $k (i32.lt_u (local.get $b) (local.get $end)))))
    (local.set $row (local.get $c))
    (v128.store offset=0 (local.get $row) (local.get $e00))
    (v128.store offset=16 (local.get $row) (local.get $e01))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store offset=0 (local.get $row) (local.get $e10))
    (v128.store offset=16 (local.get $row) (local.get $e11))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store offset=0 (local.get $row) (local.get $e20))
    (v128.store offset=16 (local.get $row) (local.get $e21))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store offset=0 (local.get $row) (local.get $e30))
    (v128.store offset=16 (local.get $row) (local.get $e31))
  )

  ;; The 4 × 4 tile: one B panel (4 accumulators), for a last sliver of 1 to 4 columns.
  (func $tile4 (param $kc i32) (param $a i32) (param $b i32) (param $ps i32) (param $step i32) (param $c i32) (param $ldc i32)
    (local $end i32) (local $row i32)
    (local $f00 v128) (local $f10 v128) (local $f20 v128) (local $f30 v128)
    (local $x0 v128) (local $s v128)
    (local.set $end (i32.add (local.get $b) (i32.mul (local.get $kc) (local.get $step))))
    ;; Start from C (bias, or the sum of the earlier depth slices).
    (local.set $row (local.get $c))
    (local.set $f00 (v128.load offset=0 (local.get $row)))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (local.set $f10 (v128.load offset=0 (local.get $row)))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (local.set $f20 (v128.load offset=0 (local.get $row)))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (local.set $f30 (v128.load offset=0 (local.get $row)))
    (block $empty
      (br_if $empty (i32.eqz (local.get $kc)))
      (loop $k
        (local.set $x0 (v128.load (local.get $b)))
        (local.set $s (v128.load32_splat offset=0 (local.get $a)))
        (local.set $f00 (f32x4.add (local.get $f00) (f32x4.mul (local.get $s) (local.get $x0))))
        (local.set $s (v128.load32_splat offset=4 (local.get $a)))
        (local.set $f10 (f32x4.add (local.get $f10) (f32x4.mul (local.get $s) (local.get $x0))))
        (local.set $s (v128.load32_splat offset=8 (local.get $a)))
        (local.set $f20 (f32x4.add (local.get $f20) (f32x4.mul (local.get $s) (local.get $x0))))
        (local.set $s (v128.load32_splat offset=12 (local.get $a)))
        (local.set $f30 (f32x4.add (local.get $f30) (f32x4.mul (local.get $s) (local.get $x0))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (local.get $step)))
        (br_if $k (i32.lt_u (local.get $b) (local.get $end)))))
    (local.set $row (local.get $c))
    (v128.store offset=0 (local.get $row) (local.get $f00))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store offset=0 (local.get $row) (local.get $f10))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store offset=0 (local.get $row) (local.get $f20))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store offset=0 (local.get $row) (local.get $f30))
  )

  ;; The narrowest tile covering $cols (1 to 12) columns: 4 × 4, 4 × 8 or 4 × 12.
  (func $anyTile (param $cols i32) (param $kc i32) (param $a i32) (param $b i32) (param $ps i32)
    (param $step i32) (param $c i32) (param $ldc i32)
    (if (i32.le_u (local.get $cols) (i32.const 4))
      (then
        (call $tile4 (local.get $kc) (local.get $a) (local.get $b) (local.get $ps) (local.get $step)
          (local.get $c) (local.get $ldc))
        (return)))
    (if (i32.le_u (local.get $cols) (i32.const 8))
      (then
        (call $tile8 (local.get $kc) (local.get $a) (local.get $b) (local.get $ps) (local.get $step)
          (local.get $c) (local.get $ldc))
        (return)))
    (call $tile (local.get $kc) (local.get $a) (local.get $b) (local.get $ps) (local.get $step)
      (local.get $c) (local.get $ldc)))

  ;; Copies rows × cols float32 from src (srcStride bytes per row) to dst (dstStride).
  (func $copy (param $src i32) (param $srcStride i32) (param $dst i32) (param $dstStride i32)
    (param $rows i32) (param $cols i32)
    (local $r i32) (local $q i32)
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $q (i32.const 0))
        (block $colsDone
          (loop $colLoop
            (br_if $colsDone (i32.ge_u (local.get $q) (local.get $cols)))
            (f32.store
              (i32.add (local.get $dst) (i32.shl (local.get $q) (i32.const 2)))
              (f32.load (i32.add (local.get $src) (i32.shl (local.get $q) (i32.const 2)))))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $colLoop)))
        (local.set $src (i32.add (local.get $src) (local.get $srcStride)))
        (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; C[M × N] += A · B (see the header). Byte addresses: a, b, c, scratch; ldc in elements.
  (func (export "gemm") (param $M i32) (param $N i32) (param $K i32) (param $a i32) (param $b i32)
    (param $c i32) (param $ldc i32) (param $scratch i32)
    (call $product (local.get $M) (local.get $N) (local.get $K) (local.get $a) (local.get $b)
      (i32.shl (local.get $K) (i32.const 4)) (i32.const 16) (local.get $c) (local.get $ldc)
      (local.get $scratch)))

  ;; C[M × N] += A · B with A packed as for "gemm" and B row-major, `ldb` elements per
  ;; row (row k holds B[k][0 … N − 1]): a 4-column B panel is then 16 bytes of a row and
  ;; the next k is ldb·4 bytes further, so B needs no packing (a 1×1 stride-1 convolution
  ;; multiplies its input as it lies). B must be readable for ⌈N/12⌉·12 columns of its
  ;; last row. The same tiles, so the same instruction sequence per element.
  (func (export "gemmRowB") (param $M i32) (param $N i32) (param $K i32) (param $a i32)
    (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32) (param $scratch i32)
    (call $product (local.get $M) (local.get $N) (local.get $K) (local.get $a) (local.get $b)
      (i32.const 16) (i32.shl (local.get $ldb) (i32.const 2)) (local.get $c) (local.get $ldc)
      (local.get $scratch)))

  ;; The GEMM with B panels $bps bytes apart whose k steps are $bstep bytes (packed B:
  ;; 16·K and 16; row-major B: 16 and ldb·4). A is always packed (panels 16·K apart).
  (func $product (param $M i32) (param $N i32) (param $K i32) (param $a i32) (param $b i32)
    (param $bps i32) (param $bstep i32) (param $c i32) (param $ldc i32) (param $scratch i32)
    (local $ps i32) (local $ldcb i32) (local $pc i32) (local $kc i32) (local $j i32) (local $i i32)
    (local $rows i32) (local $cols i32) (local $ap i32) (local $bp i32) (local $cp i32)
    (local.set $ps (i32.shl (local.get $K) (i32.const 4)))
    (local.set $ldcb (i32.shl (local.get $ldc) (i32.const 2)))
    (block $slicesDone
      (loop $slice
        (br_if $slicesDone (i32.ge_u (local.get $pc) (local.get $K)))
        (local.set $kc (i32.sub (local.get $K) (local.get $pc)))
        (if (i32.gt_u (local.get $kc) (i32.const 256)) (then (local.set $kc (i32.const 256))))
        (local.set $j (i32.const 0))
        (local.set $bp (i32.add (local.get $b) (i32.mul (local.get $pc) (local.get $bstep))))
        (block $slivers
          (loop $sliver
            (br_if $slivers (i32.ge_u (local.get $j) (local.get $N)))
            (local.set $cols (i32.sub (local.get $N) (local.get $j)))
            (if (i32.gt_u (local.get $cols) (i32.const 12)) (then (local.set $cols (i32.const 12))))
            (local.set $i (i32.const 0))
            (local.set $ap (i32.add (local.get $a) (i32.shl (local.get $pc) (i32.const 4))))
            (block $panels
              (loop $panel
                (br_if $panels (i32.ge_u (local.get $i) (local.get $M)))
                (local.set $rows (i32.sub (local.get $M) (local.get $i)))
                (if (i32.gt_u (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
                (local.set $cp
                  (i32.add (local.get $c)
                    (i32.shl
                      (i32.add (i32.mul (local.get $i) (local.get $ldc)) (local.get $j))
                      (i32.const 2))))
                ;; Whole tiles of 4 rows and 12, 8 or 4 columns run on C itself; any
                ;; other edge goes through the scratch tile, on the narrowest tile that
                ;; covers its columns.
                (if (i32.and (i32.eq (local.get $rows) (i32.const 4))
                      (i32.eqz (i32.and (local.get $cols) (i32.const 3))))
                  (then
                    (call $anyTile (local.get $cols) (local.get $kc) (local.get $ap) (local.get $bp)
                      (local.get $bps) (local.get $bstep) (local.get $cp) (local.get $ldcb)))
                  (else
                    (call $copy (local.get $cp) (local.get $ldcb) (local.get $scratch) (i32.const 48)
                      (local.get $rows) (local.get $cols))
                    (call $anyTile (local.get $cols) (local.get $kc) (local.get $ap) (local.get $bp)
                      (local.get $bps) (local.get $bstep) (local.get $scratch) (i32.const 48))
                    (call $copy (local.get $scratch) (i32.const 48) (local.get $cp) (local.get $ldcb)
                      (local.get $rows) (local.get $cols))))
                (local.set $ap (i32.add (local.get $ap) (local.get $ps)))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $panel)))
            (local.set $bp (i32.add (local.get $bp) (i32.mul (local.get $bps) (i32.const 3))))
            (local.set $j (i32.add (local.get $j) (i32.const 12)))
            (br $sliver)))
        (local.set $pc (i32.add (local.get $pc) (i32.const 256)))
        (br $slice))))
)
