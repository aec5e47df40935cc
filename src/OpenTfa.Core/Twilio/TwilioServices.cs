using System.Text.Json;
using OpenTfa.Core.Applications;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Templates;

namespace OpenTfa.Core.Twilio;

/// <summary>A service's fields as a create or update gives them; null means not given.</summary>
public sealed record ServiceInput(
    string? FriendlyName = null,
    int? CodeLength = null,
    bool? LookupEnabled = null,
    bool? SkipSmsToLandlines = null,
    bool? DtmfInputRequired = null,
    string? TtsName = null,
    bool? Psd2Enabled = null,
    bool? DoNotShareWarningEnabled = null,
    bool? CustomCodeEnabled = null,
    string? DefaultTemplateSid = null);

/// <summary>A Twilio service: an application and its Twilio settings.</summary>
public sealed record TwilioService(Application Application, TwilioServiceSettings Settings);

/// <summary>
/// Twilio services on OpenTfa applications. A service created here is an application with
/// Twilio's defaults (five check attempts, ten minutes, one successful check) and two templates of
/// its own; any application is a service, and gets its templates on its first verification.
/// </summary>
public sealed class TwilioServices(IApplicationStore applications, ITwilioStore store, TimeProvider time)
{
    public const int MaxFriendlyNameLength = 32;
    public const int MaxTtsNameLength = 64;

    /// <summary>
    /// What a service created on the Twilio surface starts with: Twilio's five check attempts, its
    /// ten-minute lifetime and single use; the send and check limits per number are OpenTfa's guard
    /// on top of Twilio's five sends per verification.
    /// </summary>
    public static readonly ApplicationSettings ApplicationDefaults = new(false, 5, "10m", "10000/1d", "10/1h", "30/1m");

    private const string TextTemplate = "Your {{friendlyName}} verification code is: {{pin}}";

    public async Task<Result<TwilioService>> CreateAsync(string tenantId, ServiceInput input, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(input.FriendlyName))
        {
            return TwilioErrors.Missing("FriendlyName");
        }

        Result<TwilioServiceSettings> applied = Apply(TwilioServiceSettings.Defaults, input);
        if (!applied.IsSuccess)
        {
            return applied.Error;
        }

        DateTimeOffset now = time.GetUtcNow();
        var application = new Application(Ids.New(), tenantId, input.FriendlyName.Trim(), true, ApplicationDefaults, now, now);
        await applications.CreateApplicationAsync(application, cancellationToken);
        return await StoreAsync(new TwilioService(application, applied.Value), saveAnyway: true, cancellationToken);
    }

    public async Task<TwilioService?> GetAsync(string tenantId, string applicationId, CancellationToken cancellationToken)
    {
        Application? application = await applications.GetApplicationAsync(tenantId, applicationId, cancellationToken);
        return application is null ? null : new TwilioService(application, await SettingsAsync(application, cancellationToken));
    }

    public async Task<IReadOnlyList<TwilioService>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        var services = new List<TwilioService>();
        foreach (Application application in await applications.ListApplicationsAsync(tenantId, cancellationToken))
        {
            services.Add(new TwilioService(application, await SettingsAsync(application, cancellationToken)));
        }

        return services;
    }

    public async Task<Result<TwilioService>> UpdateAsync(string tenantId, string applicationId, ServiceInput input, CancellationToken cancellationToken)
    {
        TwilioService? service = await GetAsync(tenantId, applicationId, cancellationToken);
        if (service is null)
        {
            return TwilioErrors.NotFoundAt($"/Services/{TwilioSids.Of(TwilioSids.ServicePrefix, applicationId)}");
        }

        if (input.FriendlyName is { } name && string.IsNullOrWhiteSpace(name))
        {
            return TwilioErrors.Invalid("FriendlyName", "must not be blank");
        }

        Result<TwilioServiceSettings> applied = Apply(service.Settings, input);
        if (!applied.IsSuccess)
        {
            return applied.Error;
        }

        DateTimeOffset now = time.GetUtcNow();
        Application application = service.Application;
        if (input.FriendlyName is { } newName)
        {
            application = application with { Name = newName.Trim(), UpdatedAt = now };
            await applications.UpdateApplicationAsync(application, cancellationToken);
        }

        TwilioService updated = await StoreAsync(new TwilioService(application, applied.Value), saveAnyway: true, cancellationToken);
        if (input.CodeLength is not null)
        {
            // The templates carry the code length, so that a resend on the Infobip surface sends the same kind of code.
            foreach (string? id in (string?[])[updated.Settings.TextTemplateId, updated.Settings.EmailTemplateId])
            {
                if (id is not null && await applications.GetTemplateAsync(tenantId, applicationId, id, cancellationToken) is { } template)
                {
                    await applications.UpdateTemplateAsync(template with { PinLength = applied.Value.CodeLength, UpdatedAt = now }, cancellationToken);
                }
            }
        }

        return updated;
    }

    public Task<bool> DeleteAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        applications.DeleteApplicationAsync(tenantId, applicationId, cancellationToken);

    /// <summary>
    /// The service with both its templates, creating those it lacks (an application made on another
    /// surface). Templates have no delete of their own, they go only with their application, so
    /// recorded ids are not read back on every start.
    /// </summary>
    public Task<TwilioService> WithTemplatesAsync(TwilioService service, CancellationToken cancellationToken) =>
        StoreAsync(service, saveAnyway: false, cancellationToken);

    /// <summary>Creates the templates the service lacks, and saves its settings when they changed or <paramref name="saveAnyway"/>.</summary>
    private async Task<TwilioService> StoreAsync(TwilioService service, bool saveAnyway, CancellationToken cancellationToken)
    {
        Application application = service.Application;
        TwilioServiceSettings settings = service.Settings;
        DateTimeOffset now = time.GetUtcNow();
        if (settings.TextTemplateId is null)
        {
            settings = settings with { TextTemplateId = await CreateTemplateAsync(application, TemplateKind.Text, settings.CodeLength, now, cancellationToken) };
        }

        if (settings.EmailTemplateId is null)
        {
            settings = settings with { EmailTemplateId = await CreateTemplateAsync(application, TemplateKind.Email, settings.CodeLength, now, cancellationToken) };
        }

        if (saveAnyway || settings != service.Settings)
        {
            await store.SaveServiceSettingsAsync(application.TenantId, application.Id,
                JsonSerializer.Serialize(settings, CoreJsonContext.Default.TwilioServiceSettings), now, cancellationToken);
        }

        return new TwilioService(application, settings);
    }

    private async Task<TwilioServiceSettings> SettingsAsync(Application application, CancellationToken cancellationToken) =>
        await store.GetServiceSettingsAsync(application.TenantId, application.Id, cancellationToken) is { } json
            ? JsonSerializer.Deserialize(json, CoreJsonContext.Default.TwilioServiceSettings) ?? TwilioServiceSettings.Defaults
            : TwilioServiceSettings.Defaults;

    private async Task<string> CreateTemplateAsync(Application application, TemplateKind kind, int codeLength, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var template = new MessageTemplate(Ids.New(), application.TenantId, application.Id, kind, PinType.Numeric, codeLength,
            kind == TemplateKind.Text ? TextTemplate : null, "en", null, null, null, null, null, null, null, null, now, now);
        await applications.CreateTemplateAsync(template, cancellationToken);
        return template.Id;
    }

    private static Result<TwilioServiceSettings> Apply(TwilioServiceSettings settings, ServiceInput input)
    {
        if (input.FriendlyName is { Length: > MaxFriendlyNameLength })
        {
            return TwilioErrors.Invalid("FriendlyName", $"must be at most {MaxFriendlyNameLength} characters");
        }

        if (input.CodeLength is { } length && length is < TwilioServiceSettings.MinCodeLength or > TwilioServiceSettings.MaxCodeLength)
        {
            return TwilioErrors.Invalid("CodeLength", $"must be between {TwilioServiceSettings.MinCodeLength} and {TwilioServiceSettings.MaxCodeLength}");
        }

        if (input.TtsName is { } tts && (tts.Length > MaxTtsNameLength || TextRendering.HasForbiddenControl(tts) || SmsSegments.ContainsLineBreak(tts)))
        {
            return TwilioErrors.Invalid("TtsName", $"must be one line of at most {MaxTtsNameLength} characters");
        }

        if (input.DefaultTemplateSid is { } template && TwilioSids.IdOf("HJ", template) is null)
        {
            return TwilioErrors.Invalid("DefaultTemplateSid", "must be a template SID (HJ followed by 32 hex digits)");
        }

        return settings with
        {
            CodeLength = input.CodeLength ?? settings.CodeLength,
            LookupEnabled = input.LookupEnabled ?? settings.LookupEnabled,
            SkipSmsToLandlines = input.SkipSmsToLandlines ?? settings.SkipSmsToLandlines,
            DtmfInputRequired = input.DtmfInputRequired ?? settings.DtmfInputRequired,
            TtsName = input.TtsName ?? settings.TtsName,
            Psd2Enabled = input.Psd2Enabled ?? settings.Psd2Enabled,
            DoNotShareWarningEnabled = input.DoNotShareWarningEnabled ?? settings.DoNotShareWarningEnabled,
            CustomCodeEnabled = input.CustomCodeEnabled ?? settings.CustomCodeEnabled,
            DefaultTemplateSid = input.DefaultTemplateSid ?? settings.DefaultTemplateSid,
        };
    }
}
