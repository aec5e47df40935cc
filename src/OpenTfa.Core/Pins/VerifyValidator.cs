using OpenTfa.Core.Applications;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Protection;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Pins;

/// <summary>
/// The checks of a verify: the candidate's shape before the store step, then, inside it, the
/// terms for the PIN the step read: its enabled application, the NIST clamp, the verify limit
/// and whether the candidate matches. Whether the PIN verifies is decided by <see cref="PinRules.Decide"/>.
/// </summary>
public sealed class VerifyValidator(IApplicationStore applications, ProtectionService protection, SecretProtector protector)
{
    public const int MaxCandidateLength = 64;

    public static TfaError? CheckCandidate(string? candidate) =>
        string.IsNullOrEmpty(candidate) ? TfaError.Field("pin", "must not be empty")
        : candidate.Length > MaxCandidateLength ? TfaError.Field("pin", $"must be at most {MaxCandidateLength} characters")
        : null;

    /// <summary>The terms of a verify of <paramref name="pin"/> with <paramref name="candidate"/>; runs inside the store step, so it only reads.</summary>
    public async ValueTask<Result<VerifyTerms>> TermsAsync(PinRecord pin, string candidate, CancellationToken cancellationToken)
    {
        Application? application = await applications.GetApplicationAsync(pin.TenantId, pin.ApplicationId, cancellationToken);
        if (application is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.PinNotFound);
        }

        if (!application.Enabled)
        {
            return new TfaError(ErrorKind.Forbidden, ErrorTexts.ApplicationDisabled);
        }

        bool nist = (await protection.GetEffectiveAsync(pin.TenantId, application.Id, cancellationToken)).Nist;
        ApplicationSettings settings = nist ? NistMode.Clamp(application.Settings) : application.Settings;
        return new VerifyTerms(
            protector.Matches(pin.Id, pin.Pin, candidate),
            settings.AllowMultiplePinVerifications,
            LimitKeys.VerifyPerDestination(application.Id, pin.Destination, settings.VerifyPerPhoneNumber, settings.VerifyPinLimit),
            nist ? NistMode.MaxConsecutiveFailures : null);
    }
}
