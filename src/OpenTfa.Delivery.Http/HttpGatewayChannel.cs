using Microsoft.Extensions.Logging;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Numbers;

namespace OpenTfa.Delivery.Http;

/// <summary>
/// What every HTTP gateway channel does the same way: it carries one kind of message, sends each
/// as one request (after a preparing call for the providers that need one) through <see cref="GatewayHttp"/> (the channel's timeout, no redirects, the
/// address checks), reads the provider's answer as a delivery result and logs it with the
/// destination masked. A channel says only what its provider's request looks like, what it
/// refuses before sending, and how the provider's answers read.
/// </summary>
public abstract class HttpGatewayChannel<TOptions> : IMessageChannel, IDisposable
    where TOptions : HttpChannelOptions
{
    private readonly string _type;
    private readonly string _title;
    private readonly ChannelKind _kind;
    private readonly GatewayHttp _http;

    /// <param name="type">The channel type, as configured and logged (<c>twilio-sms</c>).</param>
    /// <param name="title">The provider as errors name it (<c>Twilio SMS</c>).</param>
    private protected HttpGatewayChannel(string type, string title, ChannelKind kind, string name, TOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _type = type;
        _title = title;
        _kind = kind;
        Name = name;
        Options = options;
        Time = time;
        Logger = logger;
        _http = new GatewayHttp(options);
    }

    public string Name { get; }

    protected TOptions Options { get; }

    protected TimeProvider Time { get; }

    protected ILogger Logger { get; }

    public bool Supports(ChannelKind kind) => kind == _kind;

    public async Task<DeliveryResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Kind != _kind)
        {
            return DeliveryResult.Permanent($"the {_title} channel '{Name}' carries {ChannelKinds.Describe(_kind)} only, not {message.Kind}");
        }

        if (Refusal(message) is { } refusal)
        {
            return DeliveryResult.Permanent(refusal);
        }

        DeliveryResult result = await PrepareAsync(message, cancellationToken).ConfigureAwait(false) ?? await SendMessageAsync(message, cancellationToken).ConfigureAwait(false);
        Log.Sent(Logger, _type, Name, Destinations.Mask(message.To), result.Outcome, result.Error);
        return result;
    }

    /// <summary>Why the message cannot go through this channel at all (it lacks what the provider needs), or null.</summary>
    protected virtual string? Refusal(OutgoingMessage message) => null;

    /// <summary>
    /// A provider call that must come before the message's own request (Telegram's
    /// <c>checkSendAbility</c>): null to go on with <see cref="CreateRequest"/>, or the result
    /// that ends the attempt without it.
    /// </summary>
    private protected virtual Task<DeliveryResult?> PrepareAsync(OutgoingMessage message, CancellationToken cancellationToken) =>
        Task.FromResult<DeliveryResult?>(null);

    /// <summary>Another request to the provider's API than a message's (a preparing call, a template to create) through the channel's client: its timeout, TLS and address checks.</summary>
    private protected Task<GatewayAnswer> SendRequestAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _http.SendAsync(request, cancellationToken);

    private async Task<DeliveryResult> SendMessageAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = CreateRequest(message);
        GatewayAnswer answer = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return Read(answer, message);
    }

    /// <summary>The provider's request for <paramref name="message"/>, as the provider documents it.</summary>
    protected abstract HttpRequestMessage CreateRequest(OutgoingMessage message);

    /// <summary>The provider's answer, or why there was none, as a delivery result.</summary>
    private protected abstract DeliveryResult Read(GatewayAnswer answer, OutgoingMessage message);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _http.Dispose();
        }
    }
}
