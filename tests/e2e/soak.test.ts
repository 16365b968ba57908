// A small soak inside `npm test`: 500 messages with every fault kind injected at 5%, racing duplicates and
// malformed messages. However the faults fall, the accounting must hold: nothing lost, nothing twice.
import { NO_FAULTS, parseFaults } from '../../local/faults.js';
import { runSoak, type SoakOptions } from '../../local/soak/soak.js';

const options: SoakOptions = {
  messages: 500,
  faults: parseFaults('all=0.05'),
  duplicateShare: 0.04,
  malformedShare: 0.02,
  seed: 7,
  // Function timeouts scaled to a quarter: at a tenth, a loaded machine times out more calls than the faults do.
  timeScale: 0.25,
  // Longer than a loaded machine's processing, so redeliveries come from the faults rather than from slowness.
  visibilityTimeoutSeconds: 5,
  // Generous: jest runs this beside CPU-heavy suites (the image classifier), and a starved run must still settle.
  timeoutSeconds: 150,
};

describe('soak with injected faults', () => {
  it('stores every feedback exactly once or dead-letters it with its reason, and alerts each negative once', async () => {
    const { accounting, settled, faultStats } = await runSoak(options);
    expect(settled).toBe(true);
    // The faults really happened, of every kind, each counted on its own.
    const kinds = ['comprehend', 'dynamodb', 'sns', 'crash', 'hang', 'lost'];
    expect(Object.keys(faultStats).sort()).toEqual([...kinds].sort());
    for (const kind of kinds) expect([kind, (faultStats[kind] ?? 0) > 0]).toEqual([kind, true]);
    expect(accounting.unaccounted).toEqual([]);
    expect(accounting.duplicateRecords).toEqual([]);
    expect(accounting.duplicateAlerts).toEqual([]);
    expect(accounting.missingAlerts).toEqual([]);
    expect(accounting.redeliveries).toBeGreaterThan(0);
    expect(accounting.stored.length + accounting.deadLettered.length).toBeGreaterThanOrEqual(options.messages);
    for (const letter of accounting.deadLettered) expect(letter.reason).toMatch(/\w+: .+/);
    // Negative feedback dead-lettered before its alert (it waits for a redrive) is the one exception.
    const waitingForRedrive = new Set(accounting.deadLettered.map((letter) => letter.feedbackId));
    const negatives = accounting.stored.filter((item) => item.alertStatus !== 'NOT_REQUIRED' && !waitingForRedrive.has(item.feedbackId));
    expect(negatives.length).toBeGreaterThan(100);
    expect(negatives.every((item) => item.alertStatus === 'SENT')).toBe(true);
    // Every negative has its alert, and no alert went anywhere else (a negative dead-lettered after its alert keeps it).
    const alerted = new Set(accounting.alerts.map((alert) => alert.feedbackId));
    const storedNegatives = new Set(accounting.stored.filter((item) => item.alertStatus !== 'NOT_REQUIRED').map((item) => item.feedbackId));
    expect(negatives.filter((item) => !alerted.has(item.feedbackId))).toEqual([]);
    expect([...alerted].filter((feedbackId) => !storedNegatives.has(feedbackId))).toEqual([]);
  }, 240_000);

  it('parses fault settings and refuses nonsense', () => {
    expect(parseFaults('all=0.1,sns=0')).toEqual({ ...NO_FAULTS, comprehend: 0.1, dynamodb: 0.1, crash: 0.1, hang: 0.1, lost: 0.1 });
    expect(() => parseFaults('sns=2')).toThrow(/from 0 to 1/);
    expect(() => parseFaults('disk=0.1')).toThrow(/unknown fault "disk"/);
  });
});
