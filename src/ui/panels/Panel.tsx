import type { ReactNode } from 'react';

interface PanelProps {
  id: string;
  title: string;
  children: ReactNode;
  muted?: boolean;
}

/** A titled card; `id` becomes the anchor and the `panel-<id>` test id. */
export function Panel({ id, title, children, muted = false }: PanelProps) {
  return (
    <section id={id} className={muted ? 'panel panel--muted' : 'panel'} aria-labelledby={`${id}-title`} data-testid={`panel-${id}`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}
