using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Numbers;

namespace OpenTfa.Delivery.Smtp;

/// <summary>
/// Sends e-mail PINs through an SMTP relay with MailKit: a plain-text body and, when the
/// message has one, an HTML alternative. The relay's 4xx answers and connection problems are
/// temporary (the outbox retries, or the route moves on); its 5xx answers refuse the message.
/// An answer to <c>RCPT TO</c> is about that one recipient (greylisting, a full mailbox, an
/// unknown user): it fails or delays that message only and never counts against the channel.
/// </summary>
public sealed class SmtpEmailChannel : IMessageChannel
{
    public const string Type = "smtp";

    private readonly SmtpChannelOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SmtpEmailChannel> _logger;

    public SmtpEmailChannel(string name, SmtpChannelOptions options, TimeProvider time, ILogger<SmtpEmailChannel> logger)
    {
        Name = name;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public string Name { get; }

    public bool Supports(ChannelKind kind) => kind == ChannelKind.Email;

    public async Task<DeliveryResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Kind != ChannelKind.Email)
        {
            return DeliveryResult.Permanent($"the SMTP channel '{Name}' carries e-mail only, not {message.Kind}");
        }

        if (Build(message) is not { } built)
        {
            return DeliveryResult.Permanent(Refusal(message));
        }

        using var client = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, _options.Timeout.TotalMilliseconds) };
        if (_options.HeloName is not null)
        {
            client.LocalDomain = _options.HeloName;
        }

        if (_options.AllowInvalidCertificate)
        {
            // An explicit, documented opt-in for test relays with self-signed certificates.
#pragma warning disable CA5359
            client.ServerCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
            client.CheckCertificateRevocation = false;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        try
        {
            SecureSocketOptions security = _options.Security switch
            {
                SmtpSecurity.None => SecureSocketOptions.None,
                SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.StartTls,
            };
            await client.ConnectAsync(_options.Host, _options.Port, security, deadline.Token).ConfigureAwait(false);
            if (_options.Username is not null)
            {
                await client.AuthenticateAsync(_options.Username, _options.Password ?? string.Empty, deadline.Token).ConfigureAwait(false);
            }

            string answer = await client.SendAsync(built, deadline.Token).ConfigureAwait(false);
            Log.Sent(_logger, Name, Destinations.Mask(message.To), answer);
            await QuitAsync(client).ConfigureAwait(false);
            return DeliveryResult.Accepted(built.MessageId);
        }
        catch (SmtpCommandException e)
        {
            int code = (int)e.StatusCode;
            string error = $"SMTP {code}: {e.Message.Trim()}";
            string recipient = Destinations.Mask(message.To);
            // Relays often quote the recipient's address in their answer.
            Log.Refused(_logger, Name, recipient, error.Replace(message.To, recipient, StringComparison.OrdinalIgnoreCase));
            await QuitAsync(client).ConfigureAwait(false);
            return code is >= 500 and < 600 ? DeliveryResult.Permanent(error)
                : e.ErrorCode == SmtpErrorCode.RecipientNotAccepted ? DeliveryResult.TemporaryForRecipient(error)
                : DeliveryResult.Temporary(error);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(message, $"no answer from the SMTP relay {_options.Host}:{_options.Port} within {_options.Timeout.TotalSeconds:0.###} s");
        }
        catch (AuthenticationException e)
        {
            // The relay refused this channel's credentials: a fault of the channel, not of the message.
            return Failed(message, $"authentication refused by {_options.Host}:{_options.Port}: {e.Message}");
        }
        catch (SslHandshakeException e)
        {
            return Failed(message, $"TLS with {_options.Host}:{_options.Port} failed (certificate not trusted or no common protocol): {e.Message}");
        }
        catch (Exception e) when (e is SmtpProtocolException or IOException or SocketException or TimeoutException or NotSupportedException or ServiceNotConnectedException or ServiceNotAuthenticatedException)
        {
            return Failed(message, $"{e.GetType().Name} talking to {_options.Host}:{_options.Port}: {e.Message}");
        }
    }

    private DeliveryResult Failed(OutgoingMessage message, string error)
    {
        Log.Failed(_logger, Name, Destinations.Mask(message.To), error);
        return DeliveryResult.Temporary(error);
    }

    /// <summary>The MIME message, or null when a header value could not be written safely.</summary>
    private MimeMessage? Build(OutgoingMessage message)
    {
        string? from = string.IsNullOrWhiteSpace(message.From) ? _options.From : message.From;
        string subject = message.Content.Subject ?? string.Empty;
        if (from is null || SmtpChannelOptions.HasLineBreak(from) || SmtpChannelOptions.HasLineBreak(message.To) || SmtpChannelOptions.HasLineBreak(subject)
            || !MailboxAddress.TryParse(from, out MailboxAddress? sender) || !MailboxAddress.TryParse(message.To, out MailboxAddress? recipient))
        {
            return null;
        }

        var builder = new BodyBuilder { TextBody = message.Content.Text, HtmlBody = message.Content.Html };
        var mime = new MimeMessage
        {
            Subject = subject,
            Date = _time.GetUtcNow(),
            Body = builder.ToMessageBody(),
        };
        mime.From.Add(sender);
        mime.To.Add(recipient);
        string domain = _options.HeloName ?? (sender.Domain.Length > 0 ? sender.Domain : "opentfa.invalid");
        mime.MessageId = $"{message.Id}.{message.Attempt}@{domain}";
        return mime;
    }

    private string Refusal(OutgoingMessage message)
    {
        string? from = string.IsNullOrWhiteSpace(message.From) ? _options.From : message.From;
        if (from is null)
        {
            return $"the message has no sender and the SMTP channel '{Name}' has no From setting";
        }

        if (SmtpChannelOptions.HasLineBreak(from) || SmtpChannelOptions.HasLineBreak(message.To) || SmtpChannelOptions.HasLineBreak(message.Content.Subject ?? string.Empty))
        {
            return "a header value (sender, recipient or subject) contains a line break";
        }

        return "the sender or the recipient is not a valid e-mail address";
    }

    private static async Task QuitAsync(SmtpClient client)
    {
        if (!client.IsConnected)
        {
            return;
        }

        try
        {
            using var quit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.DisconnectAsync(quit: true, quit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or SmtpProtocolException or SmtpCommandException)
        {
            // The message is already accepted or refused; a rude hang-up changes nothing.
        }
    }
}
