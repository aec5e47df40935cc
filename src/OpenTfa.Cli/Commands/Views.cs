using OpenTfa.Cli.Output;
using OpenTfa.Contracts;

namespace OpenTfa.Cli.Commands;

/// <summary>How each answer looks to a person; the names are the wire's, so that they match --json.</summary>
internal static partial class Views
{
    private static TextWriter Out => Session.Out;

    public static void Application(ApplicationResponse app)
    {
        ApplicationConfiguration c = app.Configuration;
        Table.Pairs(Out,
            ("applicationId", app.ApplicationId),
            ("name", app.Name),
            ("enabled", Table.Bool(app.Enabled)),
            ("pinAttempts", Table.Number(c.PinAttempts)),
            ("pinTimeToLive", c.PinTimeToLive),
            ("allowMultiplePinVerifications", c.AllowMultiplePinVerifications is { } multiple ? Table.Bool(multiple) : null),
            ("sendPinPerApplicationLimit", c.SendPinPerApplicationLimit),
            ("sendPinPerPhoneNumberLimit", c.SendPinPerPhoneNumberLimit),
            ("verifyPinLimit", c.VerifyPinLimit));
    }

    public static void Applications(IReadOnlyList<ApplicationResponse> apps) =>
        Table.Write(Out, ["APPLICATION ID", "NAME", "ENABLED", "PIN TTL", "ATTEMPTS", "PER NUMBER", "VERIFY LIMIT"],
            apps.Select(a => new[] { a.ApplicationId, a.Name, Table.Bool(a.Enabled), a.Configuration.PinTimeToLive, Table.Number(a.Configuration.PinAttempts), a.Configuration.SendPinPerPhoneNumberLimit, a.Configuration.VerifyPinLimit }),
            "No applications yet; create one with 'opentfa apps create <name>'.");

    public static void Template(MessageTemplateResponse t) =>
        Table.Pairs(Out,
            ("messageId", t.MessageId),
            ("applicationId", t.ApplicationId),
            ("kind", KindOf(t)),
            ("messageText", t.MessageText),
            ("pinType", t.PinType),
            ("pinLength", Table.Number(t.PinLength)),
            ("pinPlaceholder", t.PinPlaceholder),
            ("language", t.Language),
            ("senderId", t.SenderId),
            ("repeatDTMF", t.RepeatDtmf),
            ("speechRate", Table.Number(t.SpeechRate)),
            ("voiceName", t.VoiceName),
            ("emailTemplateId", Table.Number(t.EmailTemplateId)),
            ("from", t.From),
            ("landingPageId", t.LandingPageId));

    public static void Templates(IReadOnlyList<MessageTemplateResponse> templates) =>
        Table.Write(Out, ["MESSAGE ID", "KIND", "PIN", "TEXT / E-MAIL TEMPLATE"],
            templates.Select(t => new[] { t.MessageId, KindOf(t), $"{t.PinLength} {t.PinType}", t.EmailTemplateId is { } e ? $"#{e} from {t.From ?? "-"}" : t.MessageText }),
            "No templates yet; create one with 'opentfa templates create <applicationId> --text \"Your pin is {{pin}}\"'.");

    public static void Sent(StartAuthenticationResponse r) =>
        Table.Pairs(Out, ("pinId", r.PinId), ("to", r.To), ("ncStatus", r.NcStatus), ("smsStatus", r.SmsStatus), ("callStatus", r.CallStatus));

    public static void Sent(StartEmailAuthenticationResponse r) =>
        Table.Pairs(Out, ("pinId", r.PinId), ("to", r.To), ("emailStatus", $"{r.EmailStatus.Name} ({r.EmailStatus.Description})"));

    public static void Verified(VerifyPinResponse r)
    {
        Out.WriteLine(r.Verified ? "Verified." : $"Not verified: {r.PinError ?? "unknown reason"}.");
        Table.Pairs(Out, ("pinId", r.PinId), ("msisdn", r.Msisdn), ("verified", Table.Bool(r.Verified)), ("attemptsRemaining", Table.Number(r.AttemptsRemaining)), ("pinError", r.PinError));
    }

    public static void Verifications(string msisdn, VerificationResponse r) =>
        Table.Write(Out, ["SENT AT", "VERIFIED", "VERIFIED AT", "MSISDN"],
            r.Verifications.Select(v => new[] { Table.Time(v.SentAt), Table.Bool(v.Verified), Table.Time(v.VerifiedAt), v.Msisdn }),
            $"No PINs sent to {msisdn} by this application (or none matching the filters).");

    public static void Messages(IReadOnlyList<MessageStateResponse> messages) =>
        Table.Write(Out, ["MESSAGE ID", "STEP", "CHANNEL", "STATE", "TO", "ATTEMPTS", "CREATED", "UPDATED", "ERROR"],
            messages.Select(m => new[] { m.MessageId, Table.Number(m.Step), m.ChannelName is null ? m.Channel : $"{m.Channel} ({m.ChannelName})", m.State, m.To, Table.Number(m.Attempts), Table.Time(m.CreatedAt), Table.Time(m.UpdatedAt), m.Error }),
            "No messages for this PIN.");

    public static void Workflow(WorkflowResponse w)
    {
        Table.Pairs(Out, ("applicationId", w.ApplicationId), ("newPinPerStep", Table.Bool(w.NewPinPerStep)));
        Out.WriteLine();
        Table.Write(Out, ["STEP", "CHANNEL", "WAIT"],
            w.Steps.Select((step, i) => new[] { Table.Number(i + 1), step.Channel, step.WaitSeconds is { } wait ? $"{Table.Number(wait)} s" : null }),
            "No steps.");
    }

    /// <summary>A plan on one line: <c>whatsapp (30 s), sms (60 s), voice</c>.</summary>
    public static string StepsInLine(IReadOnlyList<WorkflowStepBody> steps) =>
        string.Join(", ", steps.Select(s => s.WaitSeconds is { } wait ? $"{s.Channel} ({Table.Number(wait)} s)" : s.Channel));

    public static void Tenant(TenantResponse t) =>
        Table.Pairs(Out, ("tenantId", t.TenantId), ("name", t.Name), ("createdAt", Table.Time(t.CreatedAt)));

    public static void Senders(TenantSendersResponse s) =>
        Table.Pairs(Out, ("tenantId", s.TenantId), ("sms", SenderList(s.Sms)), ("email", SenderList(s.Email)));

    private static string SenderList(IReadOnlyList<string>? list) =>
        list is null ? "(service-wide rule)" : list.Count == 0 ? "(service default only)" : string.Join(", ", list);

    public static void Tenants(IReadOnlyList<TenantResponse> tenants) =>
        Table.Write(Out, ["TENANT ID", "NAME", "CREATED"], tenants.Select(t => new[] { t.TenantId, t.Name, Table.Time(t.CreatedAt) }), "No tenants.");

    public static void Key(ApiKeyResponse k) =>
        Table.Pairs(Out,
            ("keyId", k.KeyId),
            ("tenantId", k.TenantId),
            ("name", k.Name.Length == 0 ? null : k.Name),
            ("scopes", string.Join(", ", k.Scopes)),
            ("createdAt", Table.Time(k.CreatedAt)),
            ("expiresAt", Table.Time(k.ExpiresAt)),
            ("lastUsedAt", Table.Time(k.LastUsedAt)),
            ("revokedAt", Table.Time(k.RevokedAt)));

    public static void Keys(IReadOnlyList<ApiKeyResponse> keys) =>
        Table.Write(Out, ["KEY ID", "TENANT", "NAME", "SCOPES", "CREATED", "EXPIRES", "LAST USED", "REVOKED"],
            keys.Select(k => new[] { k.KeyId, k.TenantId, k.Name.Length == 0 ? null : k.Name, string.Join(",", k.Scopes), Table.Time(k.CreatedAt), Table.Time(k.ExpiresAt), Table.Time(k.LastUsedAt), Table.Time(k.RevokedAt) }),
            "No API keys.");

    private static string KindOf(MessageTemplateResponse t) => t.EmailTemplateId is not null ? "email" : "sms/voice";
}
