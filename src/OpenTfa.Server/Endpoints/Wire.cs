using System.Text.Json;
using OpenTfa.Contracts;
using OpenTfa.Core.Applications;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Tenancy;
using TwilioSids = OpenTfa.Core.Twilio.TwilioSids;

namespace OpenTfa.Server.Endpoints;

/// <summary>Maps between Core's records and the wire shapes.</summary>
internal static partial class Wire
{
    public static ApplicationInput ToInput(ApplicationRequest r) => new(
        r.Name,
        r.Enabled,
        r.Configuration is not { } c ? null : new ConfigurationInput(c.AllowMultiplePinVerifications, c.PinAttempts, c.PinTimeToLive, c.SendPinPerApplicationLimit, c.SendPinPerPhoneNumberLimit, c.VerifyPinLimit));

    public static ApplicationResponse ToWire(Application a) => new()
    {
        ApplicationId = a.Id,
        Name = a.Name,
        Enabled = a.Enabled,
        Configuration = new ApplicationConfiguration
        {
            AllowMultiplePinVerifications = a.Settings.AllowMultiplePinVerifications,
            PinAttempts = a.Settings.PinAttempts,
            PinTimeToLive = a.Settings.PinTimeToLive,
            SendPinPerApplicationLimit = a.Settings.SendPinPerApplicationLimit,
            SendPinPerPhoneNumberLimit = a.Settings.SendPinPerPhoneNumberLimit,
            VerifyPinLimit = a.Settings.VerifyPinLimit,
        },
    };

    public static TextTemplateInput ToInput(MessageTemplateRequest r) => new(
        r.MessageText, r.PinType, r.PinLength, r.Language, r.SenderId, r.RepeatDtmf, r.SpeechRate, r.VoiceName,
        r.Regional is null ? null : JsonSerializer.Serialize(r.Regional, OpenTfaJsonContext.Wire.RegionalOptions));

    public static EmailTemplateInput ToInput(EmailTemplateRequest r) => new(r.EmailTemplateId, r.From, r.PinType, r.PinLength, r.LandingPageId);

    public static MessageTemplateResponse ToWire(MessageTemplate t) => new()
    {
        MessageId = t.Id,
        ApplicationId = t.ApplicationId,
        MessageText = t.MessageText,
        PinPlaceholder = t.Kind == TemplateKind.Text ? TextRendering.PinPlaceholder : null,
        PinLength = t.PinLength,
        PinType = PinTypes.ToWire(t.PinType),
        Language = t.Language,
        SenderId = t.SenderId,
        RepeatDtmf = t.RepeatDtmf,
        SpeechRate = t.SpeechRate,
        VoiceName = t.VoiceName,
        Regional = t.RegionalJson is null ? null : JsonSerializer.Deserialize(t.RegionalJson, OpenTfaJsonContext.Wire.RegionalOptions),
        EmailTemplateId = t.EmailTemplateId,
        From = t.From,
        LandingPageId = t.LandingPageId,
    };

    public static VerifyPinResponse ToWire(VerifyPinOutcome o) => new()
    {
        PinId = o.PinId,
        Msisdn = o.Msisdn,
        Verified = o.Verified,
        AttemptsRemaining = o.AttemptsRemaining,
        PinError = o.Error == PinError.None ? null : PinRules.ToWire(o.Error),
    };

    public static Verification ToWire(VerificationEntry e) => new()
    {
        Msisdn = e.Destination,
        Verified = e.VerifiedAt is not null,
        VerifiedAt = UnixTime.Milliseconds(e.VerifiedAt),
        SentAt = UnixTime.Milliseconds(e.SentAt),
    };

    public static TenantResponse ToWire(Tenant t) => new() { TenantId = t.Id, Name = t.Name, CreatedAt = UnixTime.Milliseconds(t.CreatedAt), TwilioAccountSid = TwilioSids.Account(t.Id) };

    public static TenantSendersResponse ToWire(string tenantId, TenantSenders s) => new() { TenantId = tenantId, Sms = s.Sms, Email = s.Email };

    public static ApiKeyResponse ToWire(ApiKey k, string? clearKey = null) => new()
    {
        KeyId = k.Id,
        TenantId = k.TenantId,
        Name = k.Name,
        Scopes = k.Scopes,
        CreatedAt = UnixTime.Milliseconds(k.CreatedAt),
        ExpiresAt = UnixTime.Milliseconds(k.ExpiresAt),
        LastUsedAt = UnixTime.Milliseconds(k.LastUsedAt),
        RevokedAt = UnixTime.Milliseconds(k.RevokedAt),
        Key = clearKey,
        TwilioSid = TwilioSids.ApiKey(k.Id),
    };

    /// <summary>
    /// A message's state: its destination masked unless <paramref name="unmasked"/> (see
    /// <see cref="Core.Observability.PiiDisclosure"/>), its error as stored for the operator's
    /// admin key (<paramref name="operatorView"/>), else the tenant's text without gateway addresses.
    /// </summary>
    public static MessageStateResponse ToWire(MessageStatus m, bool unmasked, bool operatorView) => new()
    {
        MessageId = m.Id,
        PinId = m.PinId,
        Channel = ChannelKinds.Name(m.Kind),
        State = m.State.ToString().ToUpperInvariant(),
        To = Core.Observability.PiiDisclosure.Show(m.To, unmasked),
        Attempts = m.Attempts,
        CreatedAt = UnixTime.Milliseconds(m.CreatedAt),
        UpdatedAt = UnixTime.Milliseconds(m.UpdatedAt),
        ChannelName = m.ChannelName,
        ChannelMessageId = m.ChannelMessageId,
        Error = operatorView ? m.Error : TenantDeliveryError.From(m.Error),
        DeliveredAt = UnixTime.Milliseconds(m.DeliveredAt),
        Step = m.Step,
    };

    public static WorkflowResponse ToWire(string applicationId, Core.Workflows.Workflow w) => new()
    {
        ApplicationId = applicationId,
        Steps = ToWire(w.Steps),
        NewPinPerStep = w.NewPinPerStep,
    };

    public static List<WorkflowStepBody> ToWire(IReadOnlyList<Core.Workflows.WorkflowStep> steps) =>
        steps.Select((s, i) => new WorkflowStepBody { Channel = ChannelKinds.Name(s.Kind), WaitSeconds = i == steps.Count - 1 ? null : s.WaitSeconds }).ToList();

    public static EmailBodyResponse ToWire(EmailBody b) => new()
    {
        Id = b.Id,
        Name = b.Name,
        Subject = b.Subject,
        Text = b.Text,
        Html = b.Html,
        CreatedAt = UnixTime.Milliseconds(b.CreatedAt),
        UpdatedAt = UnixTime.Milliseconds(b.UpdatedAt),
    };

    public static string ToWire(ChannelKind kind) => ChannelKinds.Name(kind);
}
