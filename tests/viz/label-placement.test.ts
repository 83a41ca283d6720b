import { describe, expect, it } from 'vitest';
import { placeLabels, type LabelRequest } from '../../src/viz/label-placement';

const bounds = { left: 0, top: 0, right: 400, bottom: 300 };
const label = (x: number, y: number, width = 60): LabelRequest => ({ x, y, radius: 6, width, height: 20 });

/** The label's box back from its anchor, to check the placements against each other. */
function boxOf(request: LabelRequest, placement: NonNullable<ReturnType<typeof placeLabels>[number]>) {
  const left = placement.anchor === 'start' ? placement.x : placement.anchor === 'end' ? placement.x - request.width : placement.x - request.width / 2;
  const bottom = placement.y + request.height * 0.22;
  return { left, right: left + request.width, top: bottom - request.height, bottom };
}

describe('label placement', () => {
  it('puts a lone label on the right of its dot', () => {
    expect(placeLabels([label(100, 100)], bounds)).toEqual([{ side: 'right', x: 110, y: 100 + 10 - 20 * 0.22, anchor: 'start' }]);
  });

  it('moves a label to the left at the right edge, and keeps every label inside the plot', () => {
    const [placement] = placeLabels([label(390, 100)], bounds);
    expect(placement?.side).toBe('left');
  });

  it('never lets two labels, or a label and a dot, overlap, and leaves out what cannot fit', () => {
    // A tight cluster: five dots within 10 px.
    const requests = [label(200, 150), label(205, 152), label(198, 147), label(203, 156), label(201, 149)];
    const placements = placeLabels(requests, bounds);
    const boxes = placements.flatMap((placement, i) => (placement ? [boxOf(requests[i], placement)] : []));
    expect(boxes.length).toBeGreaterThanOrEqual(2);
    expect(placements.some((placement) => placement === null)).toBe(true);
    for (let a = 0; a < boxes.length; a++) {
      for (let b = a + 1; b < boxes.length; b++) {
        const clear = boxes[a].right <= boxes[b].left || boxes[b].right <= boxes[a].left || boxes[a].bottom <= boxes[b].top || boxes[b].bottom <= boxes[a].top;
        expect(clear, `labels ${a} and ${b}`).toBe(true);
      }
      for (const dot of requests) {
        const clearOfDot = boxes[a].right <= dot.x - dot.radius || dot.x + dot.radius <= boxes[a].left || boxes[a].bottom <= dot.y - dot.radius || dot.y + dot.radius <= boxes[a].top;
        expect(clearOfDot).toBe(true);
      }
    }
  });

  it('serves the first requests first: the most important label keeps its best spot', () => {
    const placements = placeLabels([label(200, 150), label(200, 150)], bounds);
    expect(placements[0]?.side).toBe('right');
    expect(placements[1]?.side).not.toBe('right');
  });
});
