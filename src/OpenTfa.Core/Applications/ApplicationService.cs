using OpenTfa.Core.Errors;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Applications;

public sealed record ConfigurationInput(
    bool? AllowMultiplePinVerifications,
    int? PinAttempts,
    string? PinTimeToLive,
    string? SendPinPerApplicationLimit,
    string? SendPinPerPhoneNumberLimit,
    string? VerifyPinLimit);

public sealed record ApplicationInput(string? Name, bool? Enabled, ConfigurationInput? Configuration);

/// <summary>
/// Applications: validation of their policy and its defaults; PUT replaces the whole object.
/// Answers carry the settings in effect, clamped when the protection policy turns on NIST mode.
/// </summary>
public sealed class ApplicationService(IApplicationStore store, TimeProvider time, Protection.ProtectionService protection)
{
    public const int MaxNameLength = 255;
    public const int MaxPinAttempts = 1000;

    public async Task<Result<Application>> CreateAsync(string tenantId, ApplicationInput input, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        ApplicationSettings settings = Validate(input, errors);
        if (errors.Any)
        {
            return TfaError.Validation(errors);
        }

        DateTimeOffset now = time.GetUtcNow();
        var application = new Application(Ids.New(), tenantId, input.Name!.Trim(), input.Enabled ?? true, settings, now, now);
        await store.CreateApplicationAsync(application, cancellationToken);
        return await protection.EffectiveAsync(application, cancellationToken);
    }

    public async Task<Result<Application>> ReplaceAsync(string tenantId, string applicationId, ApplicationInput input, CancellationToken cancellationToken)
    {
        Application? existing = await store.GetApplicationAsync(tenantId, applicationId, cancellationToken);
        if (existing is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound);
        }

        var errors = new ValidationErrors();
        ApplicationSettings settings = Validate(input, errors);
        if (errors.Any)
        {
            return TfaError.Validation(errors);
        }

        var updated = existing with { Name = input.Name!.Trim(), Enabled = input.Enabled ?? true, Settings = settings, UpdatedAt = time.GetUtcNow() };
        return await store.UpdateApplicationAsync(updated, cancellationToken)
            ? await protection.EffectiveAsync(updated, cancellationToken)
            : new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound);
    }

    public async Task<Result<Application>> GetAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        await store.GetApplicationAsync(tenantId, applicationId, cancellationToken) is { } application
            ? await protection.EffectiveAsync(application, cancellationToken)
            : new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound);

    public async Task<IReadOnlyList<Application>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        IReadOnlyList<Application> stored = await store.ListApplicationsAsync(tenantId, cancellationToken);
        var effective = new List<Application>(stored.Count);
        foreach (Application application in stored)
        {
            effective.Add(await protection.EffectiveAsync(application, cancellationToken));
        }

        return effective;
    }

    private static ApplicationSettings Validate(ApplicationInput input, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(input.Name))
        {
            errors.Add("name", "must not be blank");
        }
        else if (input.Name.Length > MaxNameLength)
        {
            errors.Add("name", $"must be at most {MaxNameLength} characters");
        }
        else if (input.Name.Any(char.IsControl))
        {
            errors.Add("name", "must not contain control characters");
        }

        ApplicationSettings d = ApplicationSettings.Defaults;
        ConfigurationInput c = input.Configuration ?? new ConfigurationInput(null, null, null, null, null, null);
        int attempts = c.PinAttempts ?? d.PinAttempts;
        if (attempts is < 1 or > MaxPinAttempts)
        {
            errors.Add("configuration.pinAttempts", $"must be between 1 and {MaxPinAttempts}, was {attempts}");
        }

        string ttl = c.PinTimeToLive ?? d.PinTimeToLive;
        if (!DurationFormat.TryParse(ttl, DurationFormat.OneYear, out _, out string ttlError))
        {
            errors.Add("configuration.pinTimeToLive", ttlError);
        }

        string perApp = CheckLimit(c.SendPinPerApplicationLimit ?? d.SendPinPerApplicationLimit, "configuration.sendPinPerApplicationLimit", DurationFormat.OneYear, errors);
        string perPhone = CheckLimit(c.SendPinPerPhoneNumberLimit ?? d.SendPinPerPhoneNumberLimit, "configuration.sendPinPerPhoneNumberLimit", DurationFormat.OneYear, errors);
        string verify = CheckLimit(c.VerifyPinLimit ?? d.VerifyPinLimit, "configuration.verifyPinLimit", TimeSpan.FromDays(1), errors);
        return new ApplicationSettings(c.AllowMultiplePinVerifications ?? d.AllowMultiplePinVerifications, attempts, ttl, perApp, perPhone, verify);
    }

    private static string CheckLimit(string value, string field, TimeSpan maxWindow, ValidationErrors errors)
    {
        if (!RateLimit.TryParse(value, maxWindow, out _, out string error))
        {
            errors.Add(field, error);
        }

        return value;
    }
}
