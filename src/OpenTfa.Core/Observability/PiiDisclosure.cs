using OpenTfa.Core.Errors;
using OpenTfa.Core.Numbers;
using OpenTfa.Core.Tenancy;

namespace OpenTfa.Core.Observability;

/// <summary>
/// The one rule for answers of OpenTfa's own API (<c>/opentfa/v1</c>) that carry a phone number or
/// an e-mail address: masked by default (<see cref="Destinations.Mask"/>); in full only when the
/// caller asks for it (<c>unmasked=true</c>) with a key that holds <c>opentfa:pii</c>, and then
/// audited as <see cref="AuditActions.DestinationUnmasked"/>. Asking without the scope is refused
/// rather than answered masked, so that a caller never takes a masked value for the full one.
/// The Infobip surface is exempt: its answers carry the caller's own request data, as the wire
/// contract requires.
/// </summary>
public static class PiiDisclosure
{
    /// <summary>The 403 for <c>unmasked=true</c> without <c>opentfa:pii</c>, or null when the read may go on.</summary>
    public static TfaError? Refusal(Caller caller, bool unmasked) =>
        unmasked && !caller.Key.HasScope(Scopes.Pii) ? new TfaError(ErrorKind.Forbidden, ErrorTexts.MissingScope(Scopes.Pii)) : null;

    public static string Show(string destination, bool unmasked) => unmasked ? destination : Destinations.Mask(destination);

    /// <summary>Audits one unmasked read; <paramref name="details"/> names what was read and never holds a full destination.</summary>
    public static Task RecordUnmaskedAsync(this AuditLog audit, Caller caller, string targetType, string? targetId, string details, CancellationToken cancellationToken) =>
        audit.RecordAsync(caller, caller.TenantId, AuditActions.DestinationUnmasked, targetType, targetId, details, cancellationToken);
}
