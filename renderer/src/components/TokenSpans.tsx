// A rendered training record: trained spans and masked spans in distinct colours, special tokens as chips, each
// token a hover target showing its position and id, and a marker where cutoff_len truncates the record.
import type { PreviewRecordDto } from '../../../preload/contract/preview.js';
import { tokenPieces, visibleToken } from './token-pieces.js';

export interface TokenSpansProps {
  readonly record: PreviewRecordDto;
  readonly specials?: readonly (string | null | undefined)[];
  readonly label: string;
  readonly cutLabel: string;
  readonly tokenTitle: (position: number, id: number, trained: boolean) => string;
}

export function TokenSpans({ record, specials = [], label, cutLabel, tokenTitle }: TokenSpansProps) {
  const segments = tokenPieces(record, specials);
  let cutShown = false;
  return (
    <div className="tokens" role="document" aria-label={label} data-testid="token-spans">
      {segments.map((seg, si) => (
        <span key={si} className={seg.trained ? 'seg-trained' : 'seg-masked'} data-trained={seg.trained} data-part={seg.part}>
          {seg.tokens.map((tok) => (
            <span
              key={tok.position}
              className={`tok${tok.special ? ' tok-special' : ''}`}
              title={tokenTitle(tok.position, tok.id, tok.trained)}
              data-id={tok.id}
            >
              {visibleToken(tok.text)}
            </span>
          ))}
          {seg.droppedText && (
            <>
              {!cutShown && (cutShown = true) && (
                <span className="cut-marker" data-testid="cut-marker">
                  ✂ {cutLabel}
                </span>
              )}
              <span className="seg-dropped">{seg.droppedText}</span>
            </>
          )}
        </span>
      ))}
      {record.truncated && !cutShown && (
        <span className="cut-marker" data-testid="cut-marker">
          ✂ {cutLabel}
        </span>
      )}
    </div>
  );
}
