# The example command sequences of the W800 spec, run as written.
# Sources: W800 spec, AT+MQTTALPN "Example" and AT+MQTTPUB "Example".
# Substitutions: the broker address (192.168.200.2, 192.168.10.234) becomes
# {broker.host}; port 8883 (scheme 5, TLS with verification and a client
# certificate) becomes {port.scheme5}, the harness's listener for scheme 5;
# port 1883 (scheme 1) becomes {port.scheme1}. The Wi-Fi credentials
# "ssid"/"password" and the SNTP servers are kept: the virtual firmware joins
# any access point and takes its time from the host. The PUB example's
# trailing "// When sending this command, ..." is the doc's comment, not part
# of the command. Everything else is sent byte for byte.
@w800
Feature: The W800 spec's examples run as written

  Background:
    Given the device has been reset

  @alpn
  Scenario: the AT+MQTTALPN example connects over scheme 5 offering two protocols
    Given I have sent these commands, each answered OK:
      """
      AT+CWMODE=1
      AT+CWJAP="ssid","password"
      AT+CIPSNTPCFG=1,8,"ntp1.aliyun.com","ntp2.aliyun.com"
      AT+MQTTUSERCFG=0,5,"w800","WinnerMicro","1234567890",0,0,""
      AT+MQTTALPN=0,2,"mqtt-ca.cn","mqtt-ca.us"
      AT+MQTTCONN=0,"{broker.host}",{port.scheme5},1
      """
    Then the device reports +MQTTCONNECTED:0,5,"{broker.host}",{port.scheme5},"",1
    And the broker received a CONNECT from "w800" with:
      | username | WinnerMicro |
      | password | 1234567890  |
    And the broker saw the connection of "w800" arrive with:
      | tls                | yes                   |
      | client certificate | CN=atconform-device   |
      | alpn offered       | mqtt-ca.cn,mqtt-ca.us |

  @pub
  Scenario: the AT+MQTTPUB example publishes its escaped JSON
    Given I have sent these commands, each answered OK:
      """
      AT+CWMODE=1
      AT+CWJAP="ssid","password"
      AT+MQTTUSERCFG=0,1,"w800","WinnerMicro","1234567890",0,0,""
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      AT+MQTTPUB=0,"topic","\"{\"timestamp\":\"20201121085253\"}\"",0,0
      """
    Then the broker received "\"{\"timestamp\":\"20201121085253\"}\"" on "topic" with QoS 0, not retained
