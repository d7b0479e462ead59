/**
 * Python's `difflib.SequenceMatcher(None, a, b).ratio()`, ported so that port-name
 * similarity scores match the ones cursus users know (Ratcliff/Obershelp: twice the number
 * of matched characters over the total length, matches found as recursive longest blocks).
 */
export function sequenceRatio(a: string, b: string): number {
  const total = a.length + b.length
  if (total === 0) return 1
  return (2 * matchedCharacters(a, b)) / total
}

function matchedCharacters(a: string, b: string): number {
  const positions = indexOfCharacters(b)
  let matched = 0
  const queue: Array<[number, number, number, number]> = [[0, a.length, 0, b.length]]
  while (queue.length > 0) {
    const [alo, ahi, blo, bhi] = queue.pop()!
    const [i, j, size] = longestMatch(a, b, positions, alo, ahi, blo, bhi)
    if (size === 0) continue
    matched += size
    if (alo < i && blo < j) queue.push([alo, i, blo, j])
    if (i + size < ahi && j + size < bhi) queue.push([i + size, ahi, j + size, bhi])
  }
  return matched
}

/**
 * difflib's b2j with its "autojunk" heuristic: in sequences of 200+ characters, characters
 * more frequent than 1% + 1 are not used to seed matches (they can still extend one).
 */
function indexOfCharacters(b: string): Map<string, number[]> {
  const positions = new Map<string, number[]>()
  for (let j = 0; j < b.length; j++) {
    const char = b[j]!
    const list = positions.get(char)
    if (list) list.push(j)
    else positions.set(char, [j])
  }
  if (b.length >= 200) {
    const popular = Math.floor(b.length / 100) + 1
    for (const [char, list] of positions) if (list.length > popular) positions.delete(char)
  }
  return positions
}

function longestMatch(
  a: string,
  b: string,
  positions: Map<string, number[]>,
  alo: number,
  ahi: number,
  blo: number,
  bhi: number,
): [number, number, number] {
  let besti = alo
  let bestj = blo
  let bestSize = 0
  let lengths = new Map<number, number>()
  for (let i = alo; i < ahi; i++) {
    const next = new Map<number, number>()
    for (const j of positions.get(a[i]!) ?? []) {
      if (j < blo) continue
      if (j >= bhi) break
      const k = (lengths.get(j - 1) ?? 0) + 1
      next.set(j, k)
      if (k > bestSize) {
        besti = i - k + 1
        bestj = j - k + 1
        bestSize = k
      }
    }
    lengths = next
  }
  // Extend over characters the autojunk heuristic left out of `positions`.
  while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) {
    besti--
    bestj--
    bestSize++
  }
  while (
    besti + bestSize < ahi &&
    bestj + bestSize < bhi &&
    a[besti + bestSize] === b[bestj + bestSize]
  )
    bestSize++
  return [besti, bestj, bestSize]
}
