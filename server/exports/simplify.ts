/**
 * Line simplification for the PDF's handwritten signatures. At hand-in-sheet scale most
 * samples of a smooth pen stroke are redundant; dropping them keeps a 100,000-signature PDF a
 * reasonable size.
 */

/**
 * Simplify a polyline (Ramer–Douglas–Peucker), keeping every point that deviates more than
 * `tolerance` from the chord.
 */
export function simplify(points: Array<{ x: number; y: number }>, tolerance: number): Array<{ x: number; y: number }> {
  const n = points.length;
  if (n <= 2) return points.slice();
  const keep = new Uint8Array(n);
  keep[0] = keep[n - 1] = 1;
  const stack: Array<[number, number]> = [[0, n - 1]];
  const tol2 = tolerance * tolerance;
  while (stack.length) {
    const [a, b] = stack.pop()!;
    const ax = points[a].x, ay = points[a].y;
    const dx = points[b].x - ax, dy = points[b].y - ay;
    const len2 = dx * dx + dy * dy;
    let worst = -1, worstD = tol2;
    for (let i = a + 1; i < b; i++) {
      const px = points[i].x - ax, py = points[i].y - ay;
      let d2: number;
      if (len2 === 0) d2 = px * px + py * py;
      else {
        const t = Math.max(0, Math.min(1, (px * dx + py * dy) / len2));
        const ex = px - t * dx, ey = py - t * dy;
        d2 = ex * ex + ey * ey;
      }
      if (d2 > worstD) {
        worst = i;
        worstD = d2;
      }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push([a, worst], [worst, b]);
    }
  }
  return points.filter((_, i) => keep[i]);
}
