// Harmless generated images that stand for offensive ones: each is a striped test card whose pixels are
// fixed, so its pixel SHA-256 is a key of fixtures.json, where the labels Rekognition would give the
// offensive picture it stands for are written down. No offensive image exists anywhere in the project.
import { PNG } from 'pngjs';
import { pixelSha256 } from './image.js';

/** Card name -> its colours; the names are the fixture table's `card` fields. */
export const FIXTURE_CARDS = {
  'explicit-nudity': [200, 40, 120],
  'graphic-violence': [170, 20, 20],
  'hate-symbol': [60, 60, 60],
} as const satisfies Record<string, readonly [number, number, number]>;
export type FixtureCard = keyof typeof FIXTURE_CARDS;

const WIDTH = 160;
const HEIGHT = 120;

/** The card's pixels: diagonal stripes of its colour on white, and a frame. */
export function fixtureCardPixels(card: FixtureCard): { width: number; height: number; rgba: Uint8Array } {
  const [r, g, b] = FIXTURE_CARDS[card];
  const rgba = new Uint8Array(WIDTH * HEIGHT * 4);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const frame = x < 4 || y < 4 || x >= WIDTH - 4 || y >= HEIGHT - 4;
      const stripe = Math.floor((x + y) / 10) % 2 === 0;
      const i = (y * WIDTH + x) * 4;
      const coloured = frame || stripe;
      rgba[i] = coloured ? r : 255;
      rgba[i + 1] = coloured ? g : 255;
      rgba[i + 2] = coloured ? b : 255;
      rgba[i + 3] = 255;
    }
  }
  return { width: WIDTH, height: HEIGHT, rgba };
}

/** The card as a PNG file (its bytes may vary with the encoder; its pixel SHA-256 does not). */
export function fixtureCardPng(card: FixtureCard): Buffer {
  const { width, height, rgba } = fixtureCardPixels(card);
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba);
  return PNG.sync.write(png);
}

export function fixtureCardSha256(card: FixtureCard): string {
  return pixelSha256(fixtureCardPixels(card));
}
