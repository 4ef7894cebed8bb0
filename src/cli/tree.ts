/** A small tree printer producing the same box-drawing layout as notation's CLI output. */
export class TreeNode {
  readonly children: TreeNode[] = [];
  constructor(readonly label: string) {}

  add(label: string): TreeNode {
    const child = new TreeNode(label);
    this.children.push(child);
    return child;
  }

  addPair(key: string, value: string): TreeNode {
    return this.add(`${key}: ${value}`);
  }

  render(): string {
    const lines = [this.label];
    const walk = (node: TreeNode, prefix: string) => {
      node.children.forEach((child, i) => {
        const last = i === node.children.length - 1;
        lines.push(`${prefix}${last ? '└── ' : '├── '}${child.label}`);
        walk(child, prefix + (last ? '    ' : '│   '));
      });
    };
    walk(this, '');
    return lines.join('\n');
  }
}
