using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Http.Callbacks;

namespace OpenTfa.Delivery.Http.Telegram;

/// <summary>A <c>telegram</c> channel: OpenTfa's PIN delivered as a verification code through Telegram's Gateway API.</summary>
public sealed class TelegramChannelOptions : HttpChannelOptions
{
    public const string DefaultBaseUrl = "https://gatewayapi.telegram.org";

    public TelegramChannelOptions() => BaseUrl = new Uri(DefaultBaseUrl);

    /// <summary>The Gateway API access token (Telegram Gateway account settings); it also keys the signature of delivery reports.</summary>
    public string AccessToken { get; set; } = string.Empty;

    /// <summary>A verified Telegram channel, owned by the account, that sends the codes (its username, with or without the @).</summary>
    public string? SenderUsername { get; set; }

    /// <summary>OpenTfa's public base URL as Telegram reaches it; without it no delivery reports are asked for.</summary>
    public Uri? CallbackBaseUrl { get; set; }

    /// <summary>Asks <c>checkSendAbility</c> before each message, so that a number that cannot receive costs nothing and the send that follows is free.</summary>
    public bool UseCheckSendAbility { get; set; } = true;
}

[OptionsValidator]
internal sealed partial class TelegramChannelOptionsAttributes : IValidateOptions<TelegramChannelOptions>;

public sealed partial class TelegramChannelOptionsValidator(IOptions<DeliveryOptions> delivery) : HttpChannelOptionsValidator<TelegramChannelOptions>(delivery)
{
    /// <summary>The longest <c>callback_url</c> the gateway takes, in bytes.</summary>
    public const int MaxCallbackUrlBytes = 256;

    protected override IValidateOptions<TelegramChannelOptions> Attributes { get; } = new TelegramChannelOptionsAttributes();

    protected override IEnumerable<string> Rules(string? name, string section, TelegramChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (string problem in base.Rules(name, section, options))
        {
            yield return problem;
        }

        if (CallbackProblem(section, options.CallbackBaseUrl) is null && options.CallbackBaseUrl is { } callback && name is not null
            && CallbackPaths.Absolute(callback, CallbackPaths.Telegram(name)) is { } url && Encoding.UTF8.GetByteCount(url) > MaxCallbackUrlBytes)
        {
            yield return $"{section}:CallbackBaseUrl makes the callback URL {url} longer than the {MaxCallbackUrlBytes} bytes Telegram's gateway takes; use a shorter base URL or channel name";
        }
    }

    protected override IEnumerable<string> More(string section, TelegramChannelOptions options)
    {
        if (string.IsNullOrEmpty(options.AccessToken))
        {
            yield return $"{section}:AccessToken (or AccessTokenFile) is required: the Gateway API access token";
        }

        if (options.SenderUsername is { } sender && !Username().IsMatch(sender))
        {
            yield return $"{section}:SenderUsername must be a Telegram username (5 to 32 letters, digits and underscores, starting with a letter), such as @acme_codes; got '{sender}'";
        }

        if (CallbackProblem(section, options.CallbackBaseUrl) is { } problem)
        {
            yield return problem;
        }
    }

    [GeneratedRegex("^@?[A-Za-z][A-Za-z0-9_]{4,31}$")]
    private static partial Regex Username();
}
