import { useEffect, useState } from 'react';

/** useNow is the time in epoch milliseconds, moving on every `intervalMs` (for ages on screen). */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
