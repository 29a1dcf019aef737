/**
 * The fixed part of transforms.wat (see transform-wat.ts): helpers on the memory that do
 * no arithmetic, so nothing in them is generated from the transforms.
 */

/**
 * Reads one word per 64-byte line of [$a, $a + $bytes) and returns their xor (so the loads
 * cannot be dropped). Why: the GEMM streams U[ξν] three 4 KiB B panels at a time; when U
 * is not in cache (the bench runs other kernels between two calls), each new page restarts
 * the hardware prefetcher and the GEMM's loads wait on memory latency: its time doubled
 * (docs/wasm.md). This tight loop of independent loads fetches U[ξν] (262 KiB on shape b,
 * within L2) at memory bandwidth first. It changes no value anywhere.
 */
export const touchFunction = `
  (func (export "touch") (param $a i32) (param $bytes i32) (result i32)
    (local $end i32) (local $x i32)
    (local.set $end (i32.add (local.get $a) (local.get $bytes)))
    (block $done (loop $lines
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $x (i32.xor (local.get $x) (i32.load (local.get $a))))
      (local.set $a (i32.add (local.get $a) (i32.const 64)))
      (br $lines)))
    (local.get $x)
  )`;

/** Copies planes of rows between two row strides: the input into its zero-padded copy, the padded output back. */
export const copyFunctions = `
  ;; $zeroBytes bytes from $zero <- zeros, then each of $planes planes of $rows rows of $width floats copied from
  ;; src (rows $srs bytes apart, planes $sps) to dst (rows $drs, planes $dps).
  (func (export "copyPlanes") (param $src i32) (param $srs i32) (param $sps i32)
      (param $dst i32) (param $drs i32) (param $dps i32) (param $planes i32) (param $rows i32)
      (param $width i32) (param $zero i32) (param $zeroBytes i32)
    (local $p i32) (local $h i32) (local $s i32) (local $d i32)
    (memory.fill (local.get $zero) (i32.const 0) (local.get $zeroBytes))
    (block $planesDone (loop $planeLoop
      (br_if $planesDone (i32.ge_u (local.get $p) (local.get $planes)))
      (local.set $s (i32.add (local.get $src) (i32.mul (local.get $p) (local.get $sps))))
      (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $p) (local.get $dps))))
      (local.set $h (i32.const 0))
      (block $rowsDone (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $h) (local.get $rows)))
        (memory.copy (local.get $d) (local.get $s) (i32.shl (local.get $width) (i32.const 2)))
        (local.set $s (i32.add (local.get $s) (local.get $srs)))
        (local.set $d (i32.add (local.get $d) (local.get $drs)))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $rowLoop)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $planeLoop)))
  )`;
