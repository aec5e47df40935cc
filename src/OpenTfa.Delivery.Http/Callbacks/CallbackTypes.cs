using OpenTfa.Core.Delivery;

namespace OpenTfa.Delivery.Http.Callbacks;

/// <summary>What a gateway's callback amounts to once authenticated and read.</summary>
public abstract record CallbackResult
{
    /// <summary>The callback did not prove it comes from the gateway (wrong token or signature).</summary>
    public sealed record Unauthenticated(string Reason) : CallbackResult;

    /// <summary>Authentic but malformed.</summary>
    public sealed record Invalid(string Reason) : CallbackResult;

    /// <summary>Authentic; a state to record through <see cref="DeliveryReports"/> (or none, for intermediate states).</summary>
    public sealed record Report(DeliveryReport? Delivery) : CallbackResult;

    /// <summary>Authentic; several states to record, one per message (a provider that batches its reports).</summary>
    public sealed record Reports(IReadOnlyList<DeliveryReport> Deliveries) : CallbackResult;

    /// <summary>Authentic; the provider expects this document back (TwiML, NCCO).</summary>
    public sealed record Document(string ContentType, string Body) : CallbackResult;
}

/// <summary>The paths under which OpenTfa receives gateway callbacks; the host maps them, channels build URLs with them.</summary>
public static class CallbackPaths
{
    public const string Root = "/opentfa/v1/callbacks";

    public static string Kannel(string channel) => $"{Root}/kannel/{Uri.EscapeDataString(channel)}";

    public static string Twilio(string channel) => $"{Root}/twilio/{Uri.EscapeDataString(channel)}";

    public static string TwilioGather(string channel) => $"{Twilio(channel)}/gather";

    public static string WhatsApp(string channel) => $"{Root}/whatsapp/{Uri.EscapeDataString(channel)}";

    public static string VonageInput(string channel) => $"{Root}/vonage/{Uri.EscapeDataString(channel)}/input";

    public static string Telegram(string channel) => $"{Root}/telegram/{Uri.EscapeDataString(channel)}";

    /// <summary>The public URL of a callback path: the base as the gateway reaches OpenTfa (a path prefix kept).</summary>
    public static string Absolute(Uri callbackBase, string path) => callbackBase.AbsoluteUri.TrimEnd('/') + path;
}
