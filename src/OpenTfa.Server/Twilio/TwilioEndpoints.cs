using OpenTfa.Contracts.Twilio;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Tenancy;
using OpenTfa.Core.Twilio;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Endpoints;
using OpenTfa.Server.Errors;

namespace OpenTfa.Server.Twilio;

/// <summary>
/// Twilio's Verify v2 API on Twilio's own paths (<c>/v2/Services/…</c>), so a Twilio library
/// needs only its host replaced. Handlers read the form, call Core, and map to Twilio's
/// resources; every failure answers Twilio's error shape. Services and rate limits need
/// <c>2fa:manage</c>, verifications and checks <c>2fa:pin:send</c>.
/// </summary>
internal static class TwilioEndpoints
{
    public static void MapTwilio(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder v2 = app.MapGroup("/v2").ExcludeFromDescription();
        RouteGroupBuilder services = v2.MapGroup("/Services").RequireScope(Scopes.Manage);
        services.MapPost("/", CreateServiceAsync).Audited(AuditActions.ApplicationCreated, "application", v => (v as ServiceResource)?.Sid[2..].ToUpperInvariant());
        services.MapGet("/", ListServicesAsync);
        services.MapGet("/{serviceSid}", FetchServiceAsync);
        services.MapPost("/{serviceSid}", UpdateServiceAsync).Audited(AuditActions.ApplicationUpdated, "application", v => (v as ServiceResource)?.Sid[2..].ToUpperInvariant());
        services.MapDelete("/{serviceSid}", DeleteServiceAsync).Audited(AuditActions.ApplicationDeleted, "application", routeValue: "serviceSid");

        RouteGroupBuilder verifications = v2.MapGroup("/Services/{serviceSid}").RequireScope(Scopes.PinSend);
        verifications.MapPost("/Verifications", StartAsync).AddEndpointFilter<IdempotencyFilter>();
        verifications.MapGet("/Verifications/{verificationSid}", FetchVerificationAsync);
        verifications.MapPost("/Verifications/{verificationSid}", UpdateVerificationAsync);
        verifications.MapPost("/VerificationCheck", CheckAsync);

        TwilioRateLimitEndpoints.Map(v2.MapGroup("/Services/{serviceSid}/RateLimits").RequireScope(Scopes.Manage));
    }

    /// <summary>The application a service SID names; null for anything that is not a service SID (answered 404).</summary>
    public static string? ServiceId(string serviceSid) => TwilioSids.IdOf(TwilioSids.ServicePrefix, serviceSid);

    public static IResult NotFound(HttpRequest request) => TwilioErrorResults.Result(TwilioErrors.NotFoundAt(request.Path.Value![3..]));

    public static IResult Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(value, type, statusCode: status);

    private static async Task<IResult> CreateServiceAsync(HttpContext http, TwilioServices services, CancellationToken ct)
    {
        Result<TwilioForm> form = await TwilioForm.ReadAsync(http.Request, ct);
        if (!form.IsSuccess)
        {
            return TwilioErrorResults.Result(form.Error);
        }

        ServiceInput input = ReadService(form.Value);
        if (form.Value.Error is { } invalid)
        {
            return TwilioErrorResults.Result(invalid);
        }

        Result<TwilioService> created = await services.CreateAsync(http.Caller().TenantId, input, ct);
        return created.IsSuccess
            ? Json(TwilioWire.Service(http.Request, created.Value), TwilioJsonContext.Wire.ServiceResource, StatusCodes.Status201Created)
            : TwilioErrorResults.Result(created.Error);
    }

    private static async Task<IResult> ListServicesAsync(HttpContext http, TwilioServices services, CancellationToken ct)
    {
        IReadOnlyList<TwilioService> all = await services.ListAsync(http.Caller().TenantId, ct);
        Result<(List<TwilioService> Items, PageMeta Meta)> page = TwilioWire.Page(http.Request, all, "services");
        return page.IsSuccess
            ? Json(new ServicePage { Services = [.. page.Value.Items.Select(s => TwilioWire.Service(http.Request, s))], Meta = page.Value.Meta }, TwilioJsonContext.Wire.ServicePage)
            : TwilioErrorResults.Result(page.Error);
    }

    private static async Task<IResult> FetchServiceAsync(string serviceSid, HttpContext http, TwilioServices services, CancellationToken ct) =>
        ServiceId(serviceSid) is { } id && await services.GetAsync(http.Caller().TenantId, id, ct) is { } service
            ? Json(TwilioWire.Service(http.Request, service), TwilioJsonContext.Wire.ServiceResource)
            : NotFound(http.Request);

    private static async Task<IResult> UpdateServiceAsync(string serviceSid, HttpContext http, TwilioServices services, CancellationToken ct)
    {
        if (ServiceId(serviceSid) is not { } id)
        {
            return NotFound(http.Request);
        }

        Result<TwilioForm> form = await TwilioForm.ReadAsync(http.Request, ct);
        if (!form.IsSuccess)
        {
            return TwilioErrorResults.Result(form.Error);
        }

        ServiceInput input = ReadService(form.Value);
        if (form.Value.Error is { } invalid)
        {
            return TwilioErrorResults.Result(invalid);
        }

        Result<TwilioService> updated = await services.UpdateAsync(http.Caller().TenantId, id, input, ct);
        return updated.IsSuccess
            ? Json(TwilioWire.Service(http.Request, updated.Value), TwilioJsonContext.Wire.ServiceResource)
            : TwilioErrorResults.Result(updated.Error);
    }

    private static async Task<IResult> DeleteServiceAsync(string serviceSid, HttpContext http, TwilioServices services, CancellationToken ct) =>
        ServiceId(serviceSid) is { } id && await services.DeleteAsync(http.Caller().TenantId, id, ct)
            ? TypedResults.NoContent()
            : NotFound(http.Request);

    private static async Task<IResult> StartAsync(string serviceSid, HttpContext http, TwilioVerifications verifications, CancellationToken ct)
    {
        if (ServiceId(serviceSid) is not { } id)
        {
            return NotFound(http.Request);
        }

        Result<TwilioForm> read = await TwilioForm.ReadAsync(http.Request, ct);
        if (!read.IsSuccess)
        {
            return TwilioErrorResults.Result(read.Error);
        }

        TwilioForm form = read.Value;
        form.Unsupported("CustomMessage", "custom messages are not supported; edit the service's text template instead");
        form.Unsupported("TemplateSid", "Twilio's template library is not available; edit the service's text template instead");
        form.Unsupported("TemplateCustomSubstitutions", "Twilio's template library is not available");
        var command = new StartVerificationCommand(
            form.Text("To"), form.Text("Channel"), form.Text("Locale"), form.Text("CustomFriendlyName"), form.Text("CustomCode"), form.Text("SendDigits"),
            form.Text("AppHash"), form.JsonMap("RateLimits"), form.Text("Amount"), form.Text("Payee"), form.JsonMap("ChannelConfiguration", "substitutions"));
        if (form.Error is { } invalid)
        {
            return TwilioErrorResults.Result(invalid);
        }

        Result<Verification> started = await verifications.StartAsync(http.Caller().TenantId, id, command, ct);
        return started.IsSuccess
            ? Json(TwilioWire.Verification(http.Request, started.Value), TwilioJsonContext.Wire.VerificationResource, StatusCodes.Status201Created)
            : TwilioErrorResults.Result(started.Error);
    }

    private static async Task<IResult> FetchVerificationAsync(string serviceSid, string verificationSid, HttpContext http, TwilioVerifications verifications, CancellationToken ct)
    {
        if (ServiceId(serviceSid) is not { } id || TwilioSids.IdOf(TwilioSids.VerificationPrefix, verificationSid) is not { } pinId)
        {
            return NotFound(http.Request);
        }

        Result<Verification> found = await verifications.FetchAsync(http.Caller().TenantId, id, pinId, ct);
        return found.IsSuccess
            ? Json(TwilioWire.Verification(http.Request, found.Value), TwilioJsonContext.Wire.VerificationResource)
            : TwilioErrorResults.Result(found.Error);
    }

    private static async Task<IResult> UpdateVerificationAsync(string serviceSid, string verificationSid, HttpContext http, TwilioVerifications verifications, CancellationToken ct)
    {
        if (ServiceId(serviceSid) is not { } id || TwilioSids.IdOf(TwilioSids.VerificationPrefix, verificationSid) is not { } pinId)
        {
            return NotFound(http.Request);
        }

        Result<TwilioForm> form = await TwilioForm.ReadAsync(http.Request, ct);
        if (!form.IsSuccess)
        {
            return TwilioErrorResults.Result(form.Error);
        }

        Result<Verification> updated = await verifications.UpdateAsync(http.Caller().TenantId, id, pinId, form.Value.Text("Status"), ct);
        return updated.IsSuccess
            ? Json(TwilioWire.Verification(http.Request, updated.Value), TwilioJsonContext.Wire.VerificationResource)
            : TwilioErrorResults.Result(updated.Error);
    }

    private static async Task<IResult> CheckAsync(string serviceSid, HttpContext http, TwilioVerifications verifications, CancellationToken ct)
    {
        if (ServiceId(serviceSid) is not { } id)
        {
            return NotFound(http.Request);
        }

        Result<TwilioForm> read = await TwilioForm.ReadAsync(http.Request, ct);
        if (!read.IsSuccess)
        {
            return TwilioErrorResults.Result(read.Error);
        }

        TwilioForm form = read.Value;
        form.Unsupported("SnaClientToken", "silent network authentication is not available");
        if (form.Error is { } invalid)
        {
            return TwilioErrorResults.Result(invalid);
        }

        var command = new CheckVerificationCommand(form.Text("To"), form.Text("VerificationSid"), form.Text("Code"), form.Text("Amount"), form.Text("Payee"));
        Result<Verification> checkedResult = await verifications.CheckAsync(http.Caller().TenantId, id, command, ct);
        return checkedResult.IsSuccess
            ? Json(TwilioWire.Check(checkedResult.Value), TwilioJsonContext.Wire.VerificationCheckResource)
            : TwilioErrorResults.Result(checkedResult.Error);
    }

    private static ServiceInput ReadService(TwilioForm form)
    {
        foreach (string name in (string[])["Push.IncludeDate", "Push.ApnCredentialSid", "Push.FcmCredentialSid", "Totp.Issuer", "Totp.TimeStep", "Totp.CodeLength", "Totp.Skew",
            "Whatsapp.MsgServiceSid", "Whatsapp.From", "Passkeys.RelyingParty.Id"])
        {
            form.Unsupported(name, "push, TOTP, WhatsApp and passkey factors are not available on this server");
        }

        if (form.Bool("VerifyEventSubscriptionEnabled") is true)
        {
            form.Unsupported("VerifyEventSubscriptionEnabled", "Twilio's event streams are not available; use OpenTfa's webhooks");
        }

        return new ServiceInput(form.Text("FriendlyName"), form.Int("CodeLength"), form.Bool("LookupEnabled"), form.Bool("SkipSmsToLandlines"),
            form.Bool("DtmfInputRequired"), form.Text("TtsName"), form.Bool("Psd2Enabled"), form.Bool("DoNotShareWarningEnabled"),
            form.Bool("CustomCodeEnabled"), form.Text("DefaultTemplateSid"));
    }
}
