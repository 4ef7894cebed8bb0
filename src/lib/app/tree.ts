/**
 * Display trees (notation inspect's layout) as plain data, and their box-drawing text. Light on
 * purpose: pages import it statically, while the code that builds trees from envelopes loads on demand.
 */

/** A node of a display tree: `label` alone, or `label: value`, with children. */
export interface TreeItem {
  readonly label: string;
  readonly value?: string;
  readonly children?: readonly TreeItem[];
}

/** The box-drawing text of a tree, as notation prints it. */
export function renderTreeText(root: TreeItem): string {
  const text = (i: TreeItem) => (i.value !== undefined ? `${i.label}: ${i.value}` : i.label);
  const lines = [text(root)];
  const walk = (node: TreeItem, prefix: string) => {
    const children = node.children ?? [];
    children.forEach((child, i) => {
      const last = i === children.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${text(child)}`);
      walk(child, prefix + (last ? '    ' : '│   '));
    });
  };
  walk(root, '');
  return lines.join('\n');
}
