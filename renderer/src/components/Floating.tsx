// A floating panel (menu, popover) drawn over the page at a point: portalled to <body> because the header clips its
// content (overflow hidden, paint containment), kept inside the viewport, closed by Escape or a click elsewhere.
import { useLayoutEffect, useEffect, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

export interface FloatingPoint {
  x: number;
  y: number;
  /** 'end': the panel's right edge at x (a header button's menu); 'start': its left edge (a context menu). */
  align: 'start' | 'end';
  /** The button that toggles the panel: a press on it is its own toggle, not a click elsewhere. */
  anchor?: Element;
}

/** Where a panel opens under a button: below it, right-aligned to it. */
export function belowElement(element: HTMLElement): FloatingPoint {
  const rect = element.getBoundingClientRect();
  return { x: rect.right, y: rect.bottom + 4, align: 'end', anchor: element };
}

export function Floating(props: {
  at: FloatingPoint;
  onClose(): void;
  children: ReactNode;
  className?: string;
  role?: 'menu' | 'dialog';
  label: string;
  testId?: string;
}) {
  const { at, onClose } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState({ left: at.x, top: at.y, ready: false });

  useLayoutEffect(() => {
    const panel = ref.current;
    if (!panel) return;
    const { width, height } = panel.getBoundingClientRect();
    const wantedLeft = at.align === 'end' ? at.x - width : at.x;
    const left = Math.max(4, Math.min(wantedLeft, window.innerWidth - width - 4));
    const top = at.y + height > window.innerHeight - 4 ? Math.max(4, window.innerHeight - height - 4) : at.y;
    setPosition({ left, top, ready: true });
  }, [at]);

  useEffect(() => {
    const onDown = (event: MouseEvent) => {
      const target = event.target as Node;
      if (!ref.current?.contains(target) && !at.anchor?.contains(target)) onClose();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    // Registered after the click that opened the panel has finished.
    const timer = setTimeout(() => {
      window.addEventListener('mousedown', onDown);
      window.addEventListener('contextmenu', onDown);
    }, 0);
    window.addEventListener('keydown', onKey);
    window.addEventListener('blur', onClose);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('mousedown', onDown);
      window.removeEventListener('contextmenu', onDown);
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('blur', onClose);
    };
  }, [onClose, at.anchor]);

  useEffect(() => {
    if (props.role === 'menu') ref.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, [props.role]);

  return createPortal(
    <div
      ref={ref}
      className={`fw-floating ${props.className ?? ''}`}
      role={props.role ?? 'dialog'}
      aria-label={props.label}
      data-testid={props.testId}
      style={{ left: position.left, top: position.top, visibility: position.ready ? 'visible' : 'hidden' }}
      onKeyDown={(event) => {
        if (props.role !== 'menu' || (event.key !== 'ArrowDown' && event.key !== 'ArrowUp')) return;
        event.preventDefault();
        const items = [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
        const at = items.indexOf(document.activeElement as HTMLElement);
        const next = event.key === 'ArrowDown' ? (at + 1) % items.length : (at - 1 + items.length) % items.length;
        items[next]?.focus();
      }}
    >
      {props.children}
    </div>,
    document.body,
  );
}
