import { useEffect, useState } from 'preact/hooks';
import type { CommentNode, CommentView, ThreadPage } from '../api';

export interface Entry {
  c: CommentView;
  children: string[];
  // Replies not loaded yet (GET /api/comments/:id/replies?cursor=).
  repliesCursor: string | null;
  // Posted from this page and not yet confirmed by the server.
  sending?: boolean;
  // Arrived live since the page loaded: marked for the eye, once.
  fresh?: boolean;
}

const ROOT = '';

// The thread as a map of comments plus the order of each level. Each comment's
// view subscribes to its own id, so a live change re-renders one comment, not
// the thousand around it.
export class ThreadStore {
  readonly nodes = new Map<string, Entry>();
  roots: string[] = [];
  pinned: string[] = [];
  // Top-level comments from others, waiting behind "Show N new comments".
  waiting: string[] = [];
  nextCursor: string | null = null;
  private readonly listeners = new Map<string, Set<() => void>>();

  reset(page: ThreadPage): void {
    this.nodes.clear();
    this.roots = [];
    this.waiting = [];
    this.pinned = page.pinned.map((c) => {
      this.nodes.set(
        c.id,
        this.nodes.get(c.id) ?? { c, children: [], repliesCursor: c.replyCount > 0 ? 'more' : null },
      );
      return c.id;
    });
    this.appendPage(page);
  }

  appendPage(page: { items: CommentNode[]; nextCursor: string | null }): void {
    for (const node of page.items) {
      if (this.roots.includes(node.id)) continue;
      this.addTree(node);
      if (!this.pinned.includes(node.id)) this.roots.push(node.id);
    }
    this.nextCursor = page.nextCursor;
    this.emit(ROOT);
  }

  addReplies(parentId: string, page: { items: CommentNode[]; nextCursor: string | null }): void {
    const parent = this.nodes.get(parentId);
    if (!parent) return;
    const children = [...parent.children];
    for (const node of page.items) {
      this.addTree(node);
      if (!children.includes(node.id)) children.push(node.id);
    }
    this.nodes.set(parentId, { ...parent, children, repliesCursor: page.nextCursor });
    this.emit(parentId);
  }

  // A permalink: the ancestors as a chain down to the comment and its replies.
  loadPermalink(ancestors: CommentView[], comment: CommentNode): void {
    this.nodes.clear();
    this.waiting = [];
    this.pinned = [];
    this.nextCursor = null;
    let parentId: string | null = null;
    for (const a of ancestors) {
      this.nodes.set(a.id, { c: a, children: [], repliesCursor: null });
      if (parentId) this.nodes.get(parentId)!.children.push(a.id);
      parentId = a.id;
    }
    this.addTree(comment);
    if (parentId) this.nodes.get(parentId)!.children.push(comment.id);
    this.roots = [ancestors[0]?.id ?? comment.id];
    this.emit(ROOT);
  }

  private addTree(node: CommentNode): void {
    const { replies, repliesCursor, ...c } = node;
    const existing = this.nodes.get(c.id);
    const children = existing ? [...existing.children] : [];
    for (const reply of replies) {
      this.addTree(reply);
      if (!children.includes(reply.id)) children.push(reply.id);
    }
    this.nodes.set(c.id, { c, children, repliesCursor });
    this.emit(c.id);
  }

  get(id: string): Entry | undefined {
    return this.nodes.get(id);
  }

  // Applies a newer view of a comment it already shows; false when unknown.
  update(c: CommentView): boolean {
    const entry = this.nodes.get(c.id);
    if (!entry) return false;
    this.nodes.set(c.id, { ...entry, c, sending: false });
    this.emit(c.id);
    return true;
  }

  patch(id: string, fields: Partial<CommentView>): void {
    const entry = this.nodes.get(id);
    if (!entry) return;
    this.nodes.set(id, { ...entry, c: { ...entry.c, ...fields } });
    this.emit(id);
  }

  // A comment shown at once: one's own (optimistic or confirmed), or a reply
  // under a comment that is on the page. Top-level comments from others wait.
  place(c: CommentView, options: { own: boolean; sending?: boolean }): void {
    if (this.update(c)) return;
    const entry: Entry = { c, children: [], repliesCursor: null, sending: options.sending, fresh: !options.own };
    if (c.parentId === null) {
      this.nodes.set(c.id, entry);
      if (options.own) {
        this.roots = [c.id, ...this.roots];
      } else {
        this.waiting = [...this.waiting, c.id];
      }
      this.emit(ROOT);
      return;
    }
    const parent = this.nodes.get(c.parentId);
    if (!parent) return;
    this.nodes.set(c.id, entry);
    this.nodes.set(c.parentId, {
      ...parent,
      children: [...parent.children, c.id],
      c: { ...parent.c, replyCount: parent.c.replyCount + 1 },
    });
    this.emit(c.parentId);
  }

  showWaiting(): string | undefined {
    const first = this.waiting[this.waiting.length - 1];
    this.roots = [...[...this.waiting].reverse(), ...this.roots];
    this.waiting = [];
    this.emit(ROOT);
    return first;
  }

  // Takes a comment off the page (held, rejected, deleted without replies).
  remove(id: string): void {
    const entry = this.nodes.get(id);
    if (!entry) return;
    this.nodes.delete(id);
    const parentId = entry.c.parentId;
    const parent = parentId ? this.nodes.get(parentId) : undefined;
    if (parentId && parent) {
      this.nodes.set(parentId, {
        ...parent,
        children: parent.children.filter((x) => x !== id),
        c: { ...parent.c, replyCount: Math.max(0, parent.c.replyCount - 1) },
      });
      this.emit(parentId);
    }
    if (this.roots.includes(id) || this.waiting.includes(id) || this.pinned.includes(id)) {
      this.roots = this.roots.filter((x) => x !== id);
      this.waiting = this.waiting.filter((x) => x !== id);
      this.pinned = this.pinned.filter((x) => x !== id);
      this.emit(ROOT);
    }
    this.emit(id);
  }

  subscribe(key: string, listener: () => void): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  private emit(key: string): void {
    for (const listener of this.listeners.get(key) ?? []) listener();
  }
}

function useKey(store: ThreadStore, key: string): void {
  const [, setTick] = useState(0);
  useEffect(() => store.subscribe(key, () => setTick((n) => n + 1)), [store, key]);
}

export function useEntry(store: ThreadStore, id: string): Entry | undefined {
  useKey(store, id);
  return store.get(id);
}

export function useRoots(store: ThreadStore): ThreadStore {
  useKey(store, ROOT);
  return store;
}
