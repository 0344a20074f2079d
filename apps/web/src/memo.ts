import { Component, h, type FunctionComponent } from 'preact';

// preact/compat's memo without the rest of compat: re-render only when a
// prop changed (each comment follows its own store entry for everything else).
export function memo<P extends object>(render: FunctionComponent<P>): FunctionComponent<P> {
  class Memo extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      const prev = this.props as Record<string, unknown>;
      const keys = Object.keys(next) as (keyof P)[];
      return keys.length !== Object.keys(prev).length || keys.some((k) => prev[k as string] !== next[k]);
    }
    override render() {
      return h(render, this.props);
    }
  }
  return Memo as unknown as FunctionComponent<P>;
}
