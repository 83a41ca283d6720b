// Places point labels on a scatter without overlaps: each label tries the right of its dot, then the
// left, above, below and the four diagonals, and takes the first spot that stays inside the plot and clear of the labels
// and dots already placed; a label with no free spot is left out (its dot keeps a hover title).
// Written by hand: d3 has no label placement, and d3-force's collision would move the dots, which must
// stay exactly where the PCA put them.

export interface LabelRequest {
  /** The dot's centre and radius, in the plot's pixels. */
  x: number;
  y: number;
  radius: number;
  /** The label's estimated size in pixels. */
  width: number;
  height: number;
}

export type LabelSide = 'right' | 'left' | 'above' | 'below' | 'above-right' | 'below-right' | 'above-left' | 'below-left';

export interface LabelPlacement {
  side: LabelSide;
  /** The anchor SVG text is drawn at, with its text-anchor. */
  x: number;
  y: number;
  anchor: 'start' | 'end' | 'middle';
}

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

const GAP = 4;
const SIDES: readonly LabelSide[] = ['right', 'left', 'above', 'below', 'above-right', 'below-right', 'above-left', 'below-left'];

function overlaps(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

function labelBox(request: LabelRequest, side: LabelSide): Box {
  const { x, y, radius, width, height } = request;
  const offset = radius + GAP;
  if (side === 'right') return { left: x + offset, right: x + offset + width, top: y - height / 2, bottom: y + height / 2 };
  if (side === 'left') return { left: x - offset - width, right: x - offset, top: y - height / 2, bottom: y + height / 2 };
  if (side === 'above') return { left: x - width / 2, right: x + width / 2, top: y - offset - height, bottom: y - offset };
  if (side === 'below') return { left: x - width / 2, right: x + width / 2, top: y + offset, bottom: y + offset + height };
  // The diagonals: the label's near corner just off the dot.
  const diagonal = offset * Math.SQRT1_2;
  const left = side.endsWith('right') ? x + diagonal : x - diagonal - width;
  const top = side.startsWith('above') ? y - diagonal - height : y + diagonal;
  return { left, right: left + width, top, bottom: top + height };
}

/** Where SVG text goes for a box: its baseline about a quarter of the height above the box's bottom. */
function anchorOf(box: Box, side: LabelSide): LabelPlacement {
  const baseline = box.bottom - (box.bottom - box.top) * 0.22;
  if (side === 'right' || side.endsWith('-right')) return { side, x: box.left, y: baseline, anchor: 'start' };
  if (side === 'left' || side.endsWith('-left')) return { side, x: box.right, y: baseline, anchor: 'end' };
  return { side, x: (box.left + box.right) / 2, y: baseline, anchor: 'middle' };
}

/**
 * Places the labels in the order given (the most important first); null where none fits.
 * Every dot is an obstacle to every label, so no label covers another word's dot.
 */
export function placeLabels(requests: readonly LabelRequest[], bounds: Box): (LabelPlacement | null)[] {
  const dots: Box[] = requests.map(({ x, y, radius }) => ({ left: x - radius, right: x + radius, top: y - radius, bottom: y + radius }));
  const placed: Box[] = [];
  return requests.map((request) => {
    for (const side of SIDES) {
      const box = labelBox(request, side);
      const inside = box.left >= bounds.left && box.right <= bounds.right && box.top >= bounds.top && box.bottom <= bounds.bottom;
      if (!inside || placed.some((other) => overlaps(box, other)) || dots.some((dot) => overlaps(box, dot))) continue;
      placed.push(box);
      return anchorOf(box, side);
    }
    return null;
  });
}
