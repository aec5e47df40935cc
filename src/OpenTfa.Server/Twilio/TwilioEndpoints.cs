using System.Text.Json.Serialization.Metadata;
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
        services.MapDelete("/{serviceSid}", DeleteServiceAsync).Audited(AuditActions.ApplicationDeleted, "application", routeValue: AuditedApplication);

        RouteGroupBuilder verifications = v2.MapGroup("/Services/{serviceSid}").RequireScope(Scopes.PinSend);
        verifications.MapPost("/Verifications", StartAsync).AddEndpointFilter<IdempotencyFilter>();
        verifications.MapGet("/Verifications/{verificationSid}", FetchVerificationAsync);
        verifications.MapPost("/Verifications/{verificationSid}", UpdateVerificationAsync);
        verifications.MapPost("/VerificationCheck", CheckAsync);

        TwilioRateLimitEndpoints.Map(v2.MapGroup("/Services/{serviceSid}/RateLimits").RequireScope(Scopes.Manage));
    }

    private const string AuditedApplication = "auditedApplicationId";

    /// <summary>The application a service SID names; null for anything that is not a service SID (answered 404).</summary>
    public static string? ServiceId(string serviceSid) => TwilioSids.IdOf(TwilioSids.ServicePrefix, serviceSid);

    public static IResult NotFound(HttpRequest request) => TwilioErrorResults.Result(TwilioErrors.NotFoundAt(request.Path.Value![3..]));

    /// <summary>
    /// Reads the form, takes what <paramref name="read"/> needs from it, and runs <paramref name="run"/> with
    /// that; a body that is not a form, or a parameter found bad while reading, answers 400 instead.
    /// </summary>
    public static async Task<IResult> WithFormAsync<TInput>(HttpRequest request, Func<TwilioForm, TInput> read, Func<TInput, Task<IResult>> run)
    {
        Result<TwilioForm> form = await TwilioForm.ReadAsync(request, request.HttpContext.RequestAborted);
        if (!form.IsSuccess)
        {
            return TwilioErrorResults.Result(form.Error);
        }

        TInput input = read(form.Value);
        return form.Value.Error is { } invalid ? TwilioErrorResults.Result(invalid) : await run(input);
    }

    /// <summary>A result as its Twilio resource, or its failure in Twilio's error shape.</summary>
    public static IResult Answer<T, TWire>(Result<T> result, Func<T, TWire> map, JsonTypeInfo<TWire> type, int status = StatusCodes.Status200OK) =>
        result.IsSuccess ? TypedResults.Json(map(result.Value), type, statusCode: status) : TwilioErrorResults.Result(result.Error);

    private static Task<IResult> CreateServiceAsync(HttpContext http, TwilioServices services, CancellationToken ct) =>
        WithFormAsync(http.Request, ReadService, async input =>
            Answer(await services.CreateAsync(http.Caller().TenantId, input, ct), s => TwilioWire.Service(http.Request, s), TwilioJsonContext.Wire.ServiceResource, StatusCodes.Status201Created));

    private static async Task<IResult> ListServicesAsync(HttpContext http, TwilioServices services, CancellationToken ct)
    {
        IReadOnlyList<TwilioService> all = await services.ListAsync(http.Caller().TenantId, ct);
        return Answer(TwilioWire.Page(http.Request, all, "services"),
            page => new ServicePage { Services = [.. page.Items.Select(s => TwilioWire.Service(http.Request, s))], Meta = page.Meta }, TwilioJsonContext.Wire.ServicePage);
    }

    private static async Task<IResult> FetchServiceAsync(string serviceSid, HttpContext http, TwilioServices services, CancellationToken ct) =>
        ServiceId(serviceSid) is { } id && await services.GetAsync(http.Caller().TenantId, id, ct) is { } service
            ? TypedResults.Json(TwilioWire.Service(http.Request, service), TwilioJsonContext.Wire.ServiceResource)
            : NotFound(http.Request);

    private static async Task<IResult> UpdateServiceAsync(string serviceSid, HttpContext http, TwilioServices services, CancellationToken ct) =>
        ServiceId(serviceSid) is not { } id
            ? NotFound(http.Request)
            : await WithFormAsync(http.Request, ReadService, async input =>
                Answer(await services.UpdateAsync(http.Caller().TenantId, id, input, ct), s => TwilioWire.Service(http.Request, s), TwilioJsonContext.Wire.ServiceResource));

    private static async Task<IResult> DeleteServiceAsync(string serviceSid, HttpContext http, TwilioServices services, CancellationToken ct)
    {
        if (ServiceId(serviceSid) is not { } id || !await services.DeleteAsync(http.Caller().TenantId, id, ct))
        {
            return NotFound(http.Request);
        }

        // A delete answers no body to read the target from: the audit entry names the application
        // by its OpenTfa id, like the entries of its creation and changes.
        http.Request.RouteValues[AuditedApplication] = id;
        return TypedResults.NoContent();
    }

    private static async Task<IResult> StartAsync(string serviceSid, HttpContext http, TwilioVerifications verifications, CancellationToken ct) =>
        ServiceId(serviceSid) is not { } id
            ? NotFound(http.Request)
            : await WithFormAsync(http.Request, ReadStart, async command =>
                Answer(await verifications.StartAsync(http.Caller().TenantId, id, command, ct), v => TwilioWire.Verification(http.Request, v),
                    TwilioJsonContext.Wire.VerificationResource, StatusCodes.Status201Created));

    private static async Task<IResult> FetchVerificationAsync(string serviceSid, string verificationSid, HttpContext http, TwilioVerifications verifications, CancellationToken ct) =>
        ServiceId(serviceSid) is not { } id || TwilioSids.IdOf(TwilioSids.VerificationPrefix, verificationSid) is not { } pinId
            ? NotFound(http.Request)
            : Answer(await verifications.FetchAsync(http.Caller().TenantId, id, pinId, ct), v => TwilioWire.Verification(http.Request, v), TwilioJsonContext.Wire.VerificationResource);

    private static async Task<IResult> UpdateVerificationAsync(string serviceSid, string verificationSid, HttpContext http, TwilioVerifications verifications, CancellationToken ct) =>
        ServiceId(serviceSid) is not { } id || TwilioSids.IdOf(TwilioSids.VerificationPrefix, verificationSid) is not { } pinId
            ? NotFound(http.Request)
            : await WithFormAsync(http.Request, form => form.Text("Status"), async status =>
                Answer(await verifications.UpdateAsync(http.Caller().TenantId, id, pinId, status, ct), v => TwilioWire.Verification(http.Request, v), TwilioJsonContext.Wire.VerificationResource));

    private static async Task<IResult> CheckAsync(string serviceSid, HttpContext http, TwilioVerifications verifications, CancellationToken ct) =>
        ServiceId(serviceSid) is not { } id
            ? NotFound(http.Request)
            : await WithFormAsync(http.Request, ReadCheck, async command =>
                Answer(await verifications.CheckAsync(http.Caller().TenantId, id, command, ct), TwilioWire.Check, TwilioJsonContext.Wire.VerificationCheckResource));

    private static StartVerificationCommand ReadStart(TwilioForm form)
    {
        form.Unsupported("CustomMessage", "custom messages are not supported; edit the service's text template instead");
        form.Unsupported("TemplateSid", "Twilio's template library is not available; edit the service's text template instead");
        form.Unsupported("TemplateCustomSubstitutions", "Twilio's template library is not available");
        return new StartVerificationCommand(
            form.Text("To"), form.Text("Channel"), form.Text("Locale"), form.Text("CustomFriendlyName"), form.Text("CustomCode"), form.Text("SendDigits"),
            form.Text("AppHash"), form.JsonMap("RateLimits"), form.Text("Amount"), form.Text("Payee"), form.JsonMap("ChannelConfiguration", "substitutions"));
    }

    private static CheckVerificationCommand ReadCheck(TwilioForm form)
    {
        form.Unsupported("SnaClientToken", "silent network authentication is not available");
        return new CheckVerificationCommand(form.Text("To"), form.Text("VerificationSid"), form.Text("Code"), form.Text("Amount"), form.Text("Payee"));
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
