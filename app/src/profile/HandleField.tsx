import { HANDLE_MAX_LENGTH, HANDLE_MIN_LENGTH, isValidHandle } from "../../../sdk/handles";
import { formatDate } from "../shared/format";
import { useApi } from "../shared/queries";
import { useChainNow } from "../shared/time";
import { HandleStatusQuery } from "./queries";

/** Why a handle breaks the registry's rules, as the person types; null when it follows them. */
export function handleProblem(handle: string): string | null {
  if (handle.length < HANDLE_MIN_LENGTH) return `At least ${HANDLE_MIN_LENGTH} characters.`;
  if (handle.length > HANDLE_MAX_LENGTH) return `At most ${HANDLE_MAX_LENGTH} characters.`;
  if (/[A-Z]/.test(handle))
    return "Lowercase only: handles are not rewritten, so Alice is not alice.";
  if (handle.startsWith("_")) return "A handle cannot start with _.";
  if (!isValidHandle(handle)) return "Only a-z, 0-9 and _.";
  return null;
}

/** What the form says about a handle typed for `profile` (none: a new registration). */
export interface HandleCheck {
  /** Whether the registry would let this profile (or a new one) take it now. */
  ok: boolean;
  /** What to show under the field. */
  message: string;
  /** Whether `message` is a problem. */
  error: boolean;
  /** When the handle is cooling down for another profile: from when anyone may claim it. */
  freeAt?: bigint;
}

/**
 * Checks a handle as it is typed: the registry's rules first, then whether a profile holds it,
 * and whether it is cooling down (a profile gave it up: it stays reserved for that profile for
 * 30 days, then anyone may claim it). Times are compared with the chain's clock.
 */
export function useHandleCheck(
  handle: string,
  profile?: { id: string; handle: string },
  idle = "3-25 characters: a-z, 0-9 and _, not starting with _.",
): HandleCheck {
  const now = useChainNow();
  const problem =
    handle === ""
      ? null
      : profile && handle === profile.handle
        ? "That is your handle now."
        : handleProblem(handle);
  const status = useApi(HandleStatusQuery, { handle }, { enabled: handle !== "" && !problem });
  if (handle === "") return { ok: false, message: idle, error: false };
  if (problem) return { ok: false, message: problem, error: true };
  const data = status.isPlaceholderData ? undefined : status.data?.handleStatus;
  if (!data) return { ok: false, message: `Checking @${handle}…`, error: false };
  if (data.holder) return { ok: false, message: `@${handle} is taken.`, error: true };
  const freeAt = data.freeAt ? BigInt(data.freeAt) : null;
  if (data.reservedFor && freeAt !== null && freeAt > BigInt(now)) {
    if (profile && data.reservedFor.id === profile.id)
      return {
        ok: true,
        message: `@${handle} was yours: it stays reserved for you until ${formatDate(freeAt)}, so you can take it back.`,
        error: false,
      };
    return {
      ok: false,
      message: `@${handle} was given up by @${data.reservedFor.handle} and stays reserved for it until ${formatDate(freeAt)}; anyone may claim it from then.`,
      error: true,
      freeAt,
    };
  }
  return { ok: true, message: `@${handle} is available.`, error: false };
}

/** A handle input with its check under it, announced as it changes. */
export function HandleField({
  id,
  label,
  value,
  onChange,
  check,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  check: HandleCheck;
}) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        autoComplete="off"
        spellCheck={false}
        aria-describedby={`${id}-help`}
        aria-invalid={check.error}
        onChange={(event) => onChange(event.target.value)}
      />
      <p
        id={`${id}-help`}
        className={check.error ? "error small" : "muted small"}
        aria-live="polite"
        data-free-at={check.freeAt?.toString()}
      >
        {check.message}
      </p>
    </>
  );
}
