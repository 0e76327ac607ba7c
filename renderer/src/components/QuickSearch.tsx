// Quick search box of a large-table window: the text goes to the window's view (searched where the data is) a
// moment after the operator stops typing, so a 100k-row search runs once per pause, not per key.
import { useEffect, useState } from 'react';

const SETTLE_MS = 50;

export function QuickSearch(props: {
  value: string;
  onChange(value: string): void;
  placeholder: string;
  testId: string;
}) {
  const { value, onChange, placeholder, testId } = props;
  const [text, setText] = useState(value);
  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => onChange(text), SETTLE_MS);
    return () => clearTimeout(timer);
  }, [text, value, onChange]);
  return (
    <input
      className="fw-search"
      type="search"
      value={text}
      placeholder={placeholder}
      aria-label={placeholder}
      data-testid={testId}
      onChange={(event) => setText(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === 'Escape') setText('');
      }}
    />
  );
}
