using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Storage;
using OpenTfa.Delivery.Smpp.Channels;

namespace OpenTfa.Delivery.Smpp.Tests.Channels;

public sealed class SmppChannelOptionsTests
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);

    private static IConfigurationSection Section(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create($"OpenTfa:Channels:carrier:{s.Key}", (string?)s.Value)))
            .Build()
            .GetSection("OpenTfa:Channels:carrier");

    private static readonly (string, string)[] Valid =
        [("Type", "smpp"), ("Host", "smsc.example.net"), ("SystemId", "acme"), ("Password", "s3cr3t!")];

    [Fact]
    public void Bind_EverySetting_IsRead()
    {
        var section = Section([
            .. Valid, ("Port", "3550"), ("SystemType", "OTP"), ("AddressRange", "^41"), ("BindMode", "TransmitterAndReceiver"), ("UseTls", "true"),
            ("AllowInvalidCertificate", "true"), ("Binds", "3"), ("WindowSize", "20"), ("MaxMessagesPerSecond", "100"), ("EnquireLinkInterval", "00:00:15"),
            ("ResponseTimeout", "00:00:05"), ("ConnectTimeout", "00:00:04"), ("ReconnectInitialDelay", "00:00:02"), ("ReconnectMaxDelay", "00:00:30"),
            ("ThrottleRetryDelay", "00:00:00.500"), ("MaxThrottleRetries", "7"), ("ValidityPeriod", "00:10:00"), ("SourceTon", "0"), ("SourceNpi", "1"),
            ("DestTon", "1"), ("DestNpi", "1"), ("DefaultSender", "Acme"), ("LinkWaitTimeout", "00:00:08")]);

        var options = SmppChannelOptions.Bind(section, SendTimeout, out var problems);

        Assert.Empty(problems);
        var c = options.Connection;
        Assert.Equal(("smsc.example.net", 3550, "acme", "s3cr3t!", "OTP", "^41"), (c.Host, c.Port, c.SystemId, c.Password, c.SystemType, c.AddressRange));
        Assert.Equal((SmppBindMode.TransmitterAndReceiver, true, true, 3, 20, 100), (c.BindMode, c.UseTls, c.AllowInvalidCertificate, c.Binds, c.WindowSize, c.MaxMessagesPerSecond));
        Assert.Equal((TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(4)), (c.EnquireLinkInterval, c.ResponseTimeout, c.ConnectTimeout));
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500), 7), (c.ReconnectInitialDelay, c.ReconnectMaxDelay, c.ThrottleRetryDelay, c.MaxThrottleRetries));
        Assert.Equal(TimeSpan.FromMinutes(10), c.ValidityPeriod);
        Assert.Equal(((byte?)0, (byte?)1, (byte?)1, (byte?)1), (c.SourceTon, c.SourceNpi, c.DestTon, c.DestNpi));
        Assert.Equal(("Acme", TimeSpan.FromSeconds(8)), (options.DefaultSender, options.LinkWaitTimeout));
    }

    [Fact]
    public void Bind_Defaults_AreTheDocumentedOnes()
    {
        var options = SmppChannelOptions.Bind(Section(Valid), SendTimeout, out var problems);

        Assert.Empty(problems);
        Assert.Equal((2775, 1, 10, 50, SmppBindMode.Transceiver), (options.Connection.Port, options.Connection.Binds, options.Connection.WindowSize, options.Connection.MaxMessagesPerSecond, options.Connection.BindMode));
        Assert.Equal((null, TimeSpan.FromSeconds(10)), (options.DefaultSender, options.LinkWaitTimeout));
    }

    [Fact]
    public void Bind_MissingHostAndSystemId_NamesEachSetting()
    {
        SmppChannelOptions.Bind(Section(("Type", "smpp"), ("Password", "pw")), SendTimeout, out var problems);

        Assert.Contains("OpenTfa:Channels:carrier:Host is required.", problems);
        Assert.Contains("OpenTfa:Channels:carrier:SystemId is required.", problems);
    }

    [Fact]
    public void Bind_BadValues_NameTheSettingAndValue_ButNeverThePassword()
    {
        SmppChannelOptions.Bind(Section([.. Valid[..3], ("Password", "far-too-long-secret"), ("Port", "abc"), ("Binds", "0"), ("Sytemid", "x"), ("DefaultSender", "A sender that is too long")]),
            SendTimeout, out var problems);

        Assert.Contains(problems, p => p.StartsWith("OpenTfa:Channels:carrier:Port", StringComparison.Ordinal) && p.Contains("'abc'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("OpenTfa:Channels:carrier:Binds must be between 1 and 64; got 0", StringComparison.Ordinal));
        Assert.Contains("OpenTfa:Channels:carrier:Sytemid is not an SMPP channel setting.", problems);
        Assert.Contains(problems, p => p.StartsWith("OpenTfa:Channels:carrier:DefaultSender", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("OpenTfa:Channels:carrier:Password", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains("far-too-long-secret", StringComparison.Ordinal));
    }

    [Fact]
    public void Bind_PasswordFile_IsRead()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "filepw\n");
            var options = SmppChannelOptions.Bind(Section([.. Valid[..3], ("PasswordFile", file)]), SendTimeout, out var problems);

            Assert.Empty(problems);
            Assert.Equal("filepw", options.Connection.Password);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Bind_LinkWaitPlusResponseTimeoutNotBelowSendTimeout_IsRefused()
    {
        SmppChannelOptions.Bind(Section([.. Valid, ("LinkWaitTimeout", "00:00:25"), ("ResponseTimeout", "00:00:05")]), SendTimeout, out var problems);

        var problem = Assert.Single(problems);
        Assert.StartsWith("OpenTfa:Channels:carrier:LinkWaitTimeout (00:00:25) plus OpenTfa:Channels:carrier:ResponseTimeout (00:00:05) must be shorter than OpenTfa:Delivery:SendTimeout (00:00:30)", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Factory_BadSettings_ThrowsWithEveryProblem()
    {
        using var services = Services();
        var factory = new SmppChannelFactory();

        var e = Assert.Throws<InvalidOperationException>(() => factory.Create("carrier", Section(("Type", "smpp"), ("Password", "hunter2")), services));

        Assert.Contains("Invalid settings for the SMPP channel 'carrier'", e.Message, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:carrier:Host is required.", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Factory_ChecksAgainstTheConfiguredSendTimeout()
    {
        using var services = Services(new DeliveryOptions { SendTimeout = TimeSpan.FromSeconds(5) });

        var e = Assert.Throws<InvalidOperationException>(() => new SmppChannelFactory().Create("carrier", Section(Valid), services));

        Assert.Contains("must be shorter than OpenTfa:Delivery:SendTimeout (00:00:05)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddOpenTfaSmpp_RegistersTheFactoryOnce_WhichBuildsAnSmsOnlyChannel()
    {
        var collection = new ServiceCollection().AddOpenTfaSmpp().AddOpenTfaSmpp();
        collection.AddSingleton<IOutboxStore>(new RecordingOutboxStore());
        await using var services = collection.BuildServiceProvider();

        var factory = Assert.Single(services.GetServices<IChannelFactory>());
        Assert.Equal("smpp", factory.Type);
        await using var channel = Assert.IsType<SmppSmsChannel>(factory.Create("carrier", Section(Valid), services));
        Assert.Equal("carrier", channel.Name);
        Assert.True(channel.Supports(ChannelKind.Sms));
        Assert.False(channel.Supports(ChannelKind.Voice) || channel.Supports(ChannelKind.Email));
        Assert.Equal("STOPPED", channel.GetStatus().State);
    }

    private static ServiceProvider Services(DeliveryOptions? delivery = null)
    {
        var collection = new ServiceCollection();
        collection.AddSingleton<IOutboxStore>(new RecordingOutboxStore());
        if (delivery is not null)
        {
            collection.AddSingleton(Options.Create(delivery));
        }

        return collection.BuildServiceProvider();
    }
}
