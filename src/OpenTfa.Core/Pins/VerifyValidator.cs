using OpenTfa.Core.Applications;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Protection;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Pins;

/// <summary>A verify that passed every check. <see cref="Application"/> is clamped in NIST mode, where <see cref="FailureCap"/> locks a destination out.</summary>
public sealed record ValidatedVerify(PinRecord Pin, Application Application, string Candidate, int? FailureCap);

/// <summary>
/// The first stage of a verify: the candidate's shape, the PIN and its enabled application, and
/// the NIST clamp. Whether the PIN verifies is decided later, in the store step, by <see cref="PinRules.Decide"/>.
/// </summary>
public sealed class VerifyValidator(IApplicationStore applications, IPinStore pins, ProtectionService protection)
{
    public const int MaxCandidateLength = 64;

    public async Task<Result<ValidatedVerify>> ValidateAsync(string tenantId, string pinId, string? candidate, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(candidate))
        {
            return TfaError.Field("pin", "must not be empty");
        }

        if (candidate.Length > MaxCandidateLength)
        {
            return TfaError.Field("pin", $"must be at most {MaxCandidateLength} characters");
        }

        PinRecord? pin = await pins.GetPinAsync(tenantId, pinId, cancellationToken);
        if (pin is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.PinNotFound);
        }

        Application? application = await applications.GetApplicationAsync(tenantId, pin.ApplicationId, cancellationToken);
        if (application is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.PinNotFound);
        }

        if (!application.Enabled)
        {
            return new TfaError(ErrorKind.Forbidden, ErrorTexts.ApplicationDisabled);
        }

        if ((await protection.GetEffectiveAsync(tenantId, application.Id, cancellationToken)).Nist)
        {
            return new ValidatedVerify(pin, application with { Settings = NistMode.Clamp(application.Settings) }, candidate, NistMode.MaxConsecutiveFailures);
        }

        return new ValidatedVerify(pin, application, candidate, null);
    }
}
