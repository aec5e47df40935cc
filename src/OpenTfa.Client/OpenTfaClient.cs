using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OpenTfa.Contracts;

namespace OpenTfa.Client;

/// <summary>Which health probe to ask.</summary>
public enum OpenTfaHealthCheck
{
    /// <summary><c>/health/live</c>: the process answers.</summary>
    Live,

    /// <summary><c>/health/ready</c>: the process can serve (its store answers).</summary>
    Ready,
}

/// <summary>
/// Typed client for OpenTfa: the whole Infobip 2FA API (<c>/2fa/2/*</c>) and OpenTfa's own
/// endpoints (<c>/opentfa/v1/*</c>, health). Every error answer is thrown as an
/// <see cref="OpenTfaApiException"/> subclass; a wrong PIN is not an error but a
/// <see cref="VerifyPinResponse"/> with <c>Verified = false</c>.
/// </summary>
/// <remarks>
/// The <see cref="HttpClient"/> carries the base address and the <c>Authorization</c> header:
/// register the client with <c>services.AddOpenTfaClient(…)</c>, or use <see cref="Create"/>.
/// Transport failures (server unreachable, timeouts) surface as <see cref="HttpRequestException"/>
/// and <see cref="TaskCanceledException"/>, as with any <see cref="HttpClient"/>.
/// </remarks>
public sealed partial class OpenTfaClient
{
    private static readonly OpenTfaJsonContext Json = OpenTfaJsonContext.Default;
    private readonly HttpClient _http;

    public OpenTfaClient(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _http = httpClient;
    }

    /// <summary>
    /// A client with its own <see cref="HttpClient"/>, for programs without dependency injection.
    /// Create one per process and keep it: each owns a connection pool.
    /// </summary>
    public static OpenTfaClient Create(OpenTfaClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var http = new HttpClient();
        options.ApplyTo(http);
        return new OpenTfaClient(http);
    }

    // ---- Applications (/2fa/2/applications) ----

    public Task<ApplicationResponse> CreateApplicationAsync(ApplicationRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "2fa/2/applications", Body(request, Json.ApplicationRequest), Json.ApplicationResponse, cancellationToken);

    public async Task<IReadOnlyList<ApplicationResponse>> GetApplicationsAsync(CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Get, "2fa/2/applications", null, Json.ListApplicationResponse, cancellationToken).ConfigureAwait(false);

    public Task<ApplicationResponse> GetApplicationAsync(string applicationId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"2fa/2/applications/{Segment(applicationId)}", null, Json.ApplicationResponse, cancellationToken);

    /// <summary>Replaces the whole application: configuration fields left out take their defaults.</summary>
    public Task<ApplicationResponse> UpdateApplicationAsync(string applicationId, ApplicationRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"2fa/2/applications/{Segment(applicationId)}", Body(request, Json.ApplicationRequest), Json.ApplicationResponse, cancellationToken);

    // ---- Message templates (/2fa/2/applications/{appId}/messages) ----

    public Task<MessageTemplateResponse> CreateMessageTemplateAsync(string applicationId, MessageTemplateRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"2fa/2/applications/{Segment(applicationId)}/messages", Body(request, Json.MessageTemplateRequest), Json.MessageTemplateResponse, cancellationToken);

    /// <summary>Every template of the application, SMS/voice and e-mail alike.</summary>
    public async Task<IReadOnlyList<MessageTemplateResponse>> GetMessageTemplatesAsync(string applicationId, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Get, $"2fa/2/applications/{Segment(applicationId)}/messages", null, Json.ListMessageTemplateResponse, cancellationToken).ConfigureAwait(false);

    public Task<MessageTemplateResponse> GetMessageTemplateAsync(string applicationId, string messageId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"2fa/2/applications/{Segment(applicationId)}/messages/{Segment(messageId)}", null, Json.MessageTemplateResponse, cancellationToken);

    /// <summary>Updates only the fields set in <paramref name="request"/>.</summary>
    public Task<MessageTemplateResponse> UpdateMessageTemplateAsync(string applicationId, string messageId, MessageTemplateRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"2fa/2/applications/{Segment(applicationId)}/messages/{Segment(messageId)}", Body(request, Json.MessageTemplateRequest), Json.MessageTemplateResponse, cancellationToken);

    public Task<MessageTemplateResponse> CreateEmailMessageTemplateAsync(string applicationId, EmailTemplateRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"2fa/2/applications/{Segment(applicationId)}/email/messages", Body(request, Json.EmailTemplateRequest), Json.MessageTemplateResponse, cancellationToken);

    /// <summary>Updates only the fields set in <paramref name="request"/>.</summary>
    public Task<MessageTemplateResponse> UpdateEmailMessageTemplateAsync(string applicationId, string messageId, EmailTemplateRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"2fa/2/applications/{Segment(applicationId)}/email/messages/{Segment(messageId)}", Body(request, Json.EmailTemplateRequest), Json.MessageTemplateResponse, cancellationToken);

    // ---- PINs (/2fa/2/pin) ----

    /// <summary>Sends a new PIN by SMS. <paramref name="ncNeeded"/> asks for the number check first; null leaves it to the server (on).</summary>
    public Task<StartAuthenticationResponse> SendPinOverSmsAsync(StartAuthenticationRequest request, bool? ncNeeded = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "2fa/2/pin" + Query(("ncNeeded", Bool(ncNeeded))), Body(request, Json.StartAuthenticationRequest), Json.StartAuthenticationResponse, cancellationToken);

    /// <summary>Sends the same PIN again by SMS (same <c>pinId</c>; TTL and attempts are not reset).</summary>
    public Task<StartAuthenticationResponse> ResendPinOverSmsAsync(string pinId, ResendPinRequest? request = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"2fa/2/pin/{Segment(pinId)}/resend", Body(request ?? new ResendPinRequest(), Json.ResendPinRequest), Json.StartAuthenticationResponse, cancellationToken);

    public Task<StartAuthenticationResponse> SendPinOverVoiceAsync(StartAuthenticationRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "2fa/2/pin/voice", Body(request, Json.StartAuthenticationRequest), Json.StartAuthenticationResponse, cancellationToken);

    public Task<StartAuthenticationResponse> ResendPinOverVoiceAsync(string pinId, ResendPinRequest? request = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"2fa/2/pin/{Segment(pinId)}/resend/voice", Body(request ?? new ResendPinRequest(), Json.ResendPinRequest), Json.StartAuthenticationResponse, cancellationToken);

    /// <summary>Sends a new PIN by e-mail; <c>MessageId</c> names an e-mail template and <c>To</c> an address.</summary>
    public Task<StartEmailAuthenticationResponse> SendPinOverEmailAsync(StartAuthenticationRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "2fa/2/pin/email", Body(request, Json.StartAuthenticationRequest), Json.StartEmailAuthenticationResponse, cancellationToken);

    public Task<StartEmailAuthenticationResponse> ResendPinOverEmailAsync(string pinId, ResendPinRequest? request = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"2fa/2/pin/{Segment(pinId)}/resend/email", Body(request ?? new ResendPinRequest(), Json.ResendPinRequest), Json.StartEmailAuthenticationResponse, cancellationToken);

    /// <summary>
    /// Checks a PIN. A wrong, expired or used-up PIN is an answer, not an exception:
    /// <c>Verified</c> is false and <c>PinError</c> says why.
    /// </summary>
    public Task<VerifyPinResponse> VerifyPinAsync(string pinId, string pin, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"2fa/2/pin/{Segment(pinId)}/verify", Body(new VerifyPinRequest { Pin = pin }, Json.VerifyPinRequest), Json.VerifyPinResponse, cancellationToken);

    /// <summary>One entry per PIN sent to <paramref name="msisdn"/> by the application, newest first, optionally filtered.</summary>
    public Task<VerificationResponse> GetVerificationStatusAsync(string applicationId, string msisdn, bool? verified = null, bool? sent = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(msisdn);
        string query = Query(("msisdn", msisdn), ("verified", Bool(verified)), ("sent", Bool(sent)));
        return SendAsync(HttpMethod.Get, $"2fa/2/applications/{Segment(applicationId)}/verifications{query}", null, Json.VerificationResponse, cancellationToken);
    }

    // ---- OpenTfa's own endpoints (/opentfa/v1) ----

    /// <summary>Creates a tenant; needs an <c>opentfa:admin</c> key of the operator tenant.</summary>
    public Task<TenantResponse> CreateTenantAsync(CreateTenantRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "opentfa/v1/tenants", Body(request, Json.CreateTenantRequest), Json.TenantResponse, cancellationToken);

    public async Task<IReadOnlyList<TenantResponse>> GetTenantsAsync(CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Get, "opentfa/v1/tenants", null, Json.ListTenantResponse, cancellationToken).ConfigureAwait(false);

    /// <summary>The SMS senders and e-mail From addresses a tenant may use; a null list means the service-wide rule applies.</summary>
    public Task<TenantSendersResponse> GetTenantSendersAsync(string tenantId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"opentfa/v1/tenants/{Segment(tenantId)}/senders", null, Json.TenantSendersResponse, cancellationToken);

    /// <summary>Replaces a tenant's sender lists; needs an <c>opentfa:admin</c> key of the operator tenant.</summary>
    public Task<TenantSendersResponse> SetTenantSendersAsync(string tenantId, TenantSendersRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"opentfa/v1/tenants/{Segment(tenantId)}/senders", Body(request, Json.TenantSendersRequest), Json.TenantSendersResponse, cancellationToken);

    /// <summary>Creates an API key; the answer's <c>Key</c> is the clear key, shown only this once.</summary>
    public Task<ApiKeyResponse> CreateApiKeyAsync(CreateApiKeyRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "opentfa/v1/keys", Body(request, Json.CreateApiKeyRequest), Json.ApiKeyResponse, cancellationToken);

    /// <summary>The keys of the caller's tenant; an operator administrator sees every tenant's, or <paramref name="tenantId"/>'s.</summary>
    public async Task<IReadOnlyList<ApiKeyResponse>> GetApiKeysAsync(string? tenantId = null, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Get, "opentfa/v1/keys" + Query(("tenantId", tenantId)), null, Json.ListApiKeyResponse, cancellationToken).ConfigureAwait(false);

    public Task<ApiKeyResponse> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"opentfa/v1/keys/{Segment(keyId)}", null, Json.ApiKeyResponse, cancellationToken);

    /// <summary>
    /// The delivery state of every message sent for a PIN (the send and each resend), the
    /// destination masked; <paramref name="unmasked"/> shows it in full, which needs the
    /// <c>opentfa:pii</c> scope and is audited.
    /// </summary>
    public async Task<IReadOnlyList<MessageStateResponse>> GetPinMessagesAsync(string pinId, bool unmasked = false, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Get, $"opentfa/v1/pins/{Segment(pinId)}/messages{Unmasked(unmasked)}", null, Json.ListMessageStateResponse, cancellationToken).ConfigureAwait(false);

    /// <summary>One message's state; <paramref name="unmasked"/> as for <see cref="GetPinMessagesAsync"/>.</summary>
    public Task<MessageStateResponse> GetMessageAsync(string messageId, bool unmasked = false, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"opentfa/v1/messages/{Segment(messageId)}{Unmasked(unmasked)}", null, Json.MessageStateResponse, cancellationToken);

    /// <summary>Creates an e-mail body (subject, text and optional HTML, each with <c>{{pin}}</c>); e-mail templates name its <c>Id</c> as <c>emailTemplateId</c>.</summary>
    public Task<EmailBodyResponse> CreateEmailBodyAsync(EmailBodyRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "opentfa/v1/email-bodies", Body(request, Json.EmailBodyRequest), Json.EmailBodyResponse, cancellationToken);

    public async Task<IReadOnlyList<EmailBodyResponse>> GetEmailBodiesAsync(CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Get, "opentfa/v1/email-bodies", null, Json.ListEmailBodyResponse, cancellationToken).ConfigureAwait(false);

    public Task<EmailBodyResponse> GetEmailBodyAsync(long id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"opentfa/v1/email-bodies/{id.ToString(CultureInfo.InvariantCulture)}", null, Json.EmailBodyResponse, cancellationToken);

    /// <summary>Updates only the fields set in <paramref name="request"/>.</summary>
    public Task<EmailBodyResponse> UpdateEmailBodyAsync(long id, EmailBodyRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"opentfa/v1/email-bodies/{id.ToString(CultureInfo.InvariantCulture)}", Body(request, Json.EmailBodyRequest), Json.EmailBodyResponse, cancellationToken);

    /// <summary>
    /// Asks a health probe. A server that answers "not ready" (503 with a health body) is
    /// returned, not thrown, so that <c>Status</c> and <c>Details</c> can be shown.
    /// </summary>
    public async Task<HealthResponse> GetHealthAsync(OpenTfaHealthCheck check = OpenTfaHealthCheck.Ready, CancellationToken cancellationToken = default)
    {
        string path = check == OpenTfaHealthCheck.Live ? "health/live" : "health/ready";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable && TryRead(body, Json.HealthResponse) is { } unavailable)
        {
            return unavailable;
        }

        return Read(response, body, Json.HealthResponse);
    }

    // ---- plumbing ----

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return Read(response, body, type);
    }

    /// <summary>A call whose success has no body (204).</summary>
    private async Task SendAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw Failure(response, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
    }

    private static OpenTfaApiException Failure(HttpResponseMessage response, string body) =>
        OpenTfaApiException.Create(ErrorReader.Read(response.StatusCode, response.Headers, body, TimeProvider.System));

    private static T Read<T>(HttpResponseMessage response, string body, JsonTypeInfo<T> type)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw Failure(response, body);
        }

        try
        {
            return JsonSerializer.Deserialize(body, type)
                ?? throw new JsonException("the body is null");
        }
        catch (JsonException ex)
        {
            throw new OpenTfaApiException(
                new OpenTfaErrorDetails(response.StatusCode, null, $"The answer is not the expected JSON ({type.Type.Name}): {ex.Message}", ResponseBody: body), ex);
        }
    }

    private static T? TryRead<T>(string body, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(body, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonContent Body<T>(T value, JsonTypeInfo<T> type)
    {
        ArgumentNullException.ThrowIfNull(value);
        return JsonContent.Create(value, type);
    }

    private static string Segment(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return Uri.EscapeDataString(id);
    }

    private static string Unmasked(bool unmasked) => unmasked ? "?unmasked=true" : string.Empty;

    private static string? Bool(bool? value) => value switch { true => "true", false => "false", null => null };

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        string joined = string.Join('&', parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
        return joined.Length == 0 ? string.Empty : "?" + joined;
    }
}
