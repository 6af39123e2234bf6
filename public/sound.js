/**
 * @module public/sound
 * The trade sound: a short two-note "coin" synthesized with WebAudio (no audio file to fetch),
 * higher for sells than for buys. Starts muted, as browsers allow sound only after a click; the
 * choice is remembered per browser.
 */

const STORAGE_KEY = 'opensqt.dashboard.muted';

/**
 * @returns {{readonly muted: boolean, readonly plays: number, toggle(): boolean,
 *   unlock(): void, play(side: string): void}}
 */
export function createTradeSound(storage = window.localStorage) {
  let context;
  let muted = storage.getItem(STORAGE_KEY) !== 'false';
  let plays = 0;

  const note = (frequency, startAt, seconds) => {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = 'square';
    oscillator.frequency.setValueAtTime(frequency, startAt);
    gain.gain.setValueAtTime(0.0001, startAt);
    gain.gain.exponentialRampToValueAtTime(0.08, startAt + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, startAt + seconds);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(startAt);
    oscillator.stop(startAt + seconds + 0.02);
  };

  return {
    get muted() {
      return muted;
    },
    /** Sounds played since load (the browser test counts them). */
    get plays() {
      return plays;
    },
    /** Flips mute; called from a click, which is what lets the audio context start. */
    toggle() {
      muted = !muted;
      storage.setItem(STORAGE_KEY, String(muted));
      this.unlock();
      return muted;
    },
    /** Starts the audio context if sound is on; call it from the first click on the page. */
    unlock() {
      if (muted) return;
      context ??= new AudioContext();
      void context.resume();
    },
    /** Plays the coin for a fill unless muted. */
    play(side) {
      if (muted || context === undefined) return;
      const base = side === 'buy' ? 988 : 1175;
      const now = context.currentTime;
      note(base, now, 0.08);
      note(base * 1.335, now + 0.08, 0.3);
      plays++;
    },
  };
}
