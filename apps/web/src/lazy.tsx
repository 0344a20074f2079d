import type { ComponentChildren, FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';

// A code-split component (the moderation console) without preact/compat.
export function lazy<P extends object>(
  load: () => Promise<FunctionComponent<P>>,
): FunctionComponent<P & { fallback?: ComponentChildren }> {
  let loaded: FunctionComponent<P> | null = null;
  return function Lazy(props) {
    const [, setReady] = useState(false);
    useEffect(() => {
      if (!loaded) void load().then((c) => ((loaded = c), setReady(true)));
    }, []);
    const Loaded = loaded;
    return Loaded ? <Loaded {...props} /> : <>{props.fallback}</>;
  };
}
