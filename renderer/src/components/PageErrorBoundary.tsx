// Catches an error while a page renders, so one broken page does not blank the whole window: it says so in words
// (the error's message, never its stack) and offers a reload; the navigation stays usable. Reports nowhere.
import { Component, type ReactNode } from 'react';

interface Props {
  readonly children: ReactNode;
  readonly title: string;
  readonly hint: string;
  readonly reloadLabel: string;
}

export class PageErrorBoundary extends Component<Props, { error: Error | undefined }> {
  override state: { error: Error | undefined } = { error: undefined };

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="empty-state" role="alert" data-testid="page-error">
        <h2>{this.props.title}</h2>
        <p>{error.message}</p>
        <p className="muted">{this.props.hint}</p>
        <button type="button" onClick={() => globalThis.location.reload()}>
          {this.props.reloadLabel}
        </button>
      </div>
    );
  }
}
