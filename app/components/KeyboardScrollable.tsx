import { useEffect, useRef, type ReactNode } from "react";

/**
 * Makes the horizontal scroll container of a Polaris DataTable inside reachable by
 * keyboard and named for screen readers (tabIndex 0, role region, aria-label): a wide
 * table on a narrow screen can otherwise only be scrolled with a mouse. Polaris renders
 * that container itself and takes no props for it, so the attributes are set after each
 * render.
 */
export function KeyboardScrollable({ label, children }: { label: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    for (const el of ref.current?.querySelectorAll<HTMLElement>(".Polaris-DataTable__ScrollContainer") ?? []) {
      el.tabIndex = 0;
      el.setAttribute("role", "region");
      el.setAttribute("aria-label", label);
    }
  });
  return <div ref={ref}>{children}</div>;
}
