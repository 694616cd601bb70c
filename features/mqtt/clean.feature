# AT+MQTTCLEAN: close the connection and release resources.
# Sources: ESP-AT MQTT spec, AT+MQTTCLEAN; ESP-AT reference §2.3 (CLEAN at
# state 0 gives 0x6003, wrong count 0x6008, link checks 0x6010/0x6011).
# A clean close sends DISCONNECT, so the broker must not publish the will;
# a reset (AT+RST) drops the connection like a power cut.
@clean @esp32 @esp8266
Feature: AT+MQTTCLEAN closes the MQTT connection

  Background:
    Given the device has been reset
    And I have sent AT+SYSLOG=1

  Scenario: CLEAN disconnects gracefully and returns to state 0
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"clean-1","","",0,0,""
      AT+MQTTCONNCFG=0,60,0,"clean/will","unexpected",0,0
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    When I send AT+MQTTCLEAN=0
    Then the device answers OK
    And the broker received a DISCONNECT from "clean-1"
    When I send AT+MQTTCONN?
    Then the device answers:
      """
      +MQTTCONN:0,0,0,"","","",0
      OK
      """

  Scenario: a reset drops the connection without DISCONNECT, and the will is published
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"clean-2","","",0,0,""
      AT+MQTTCONNCFG=0,60,0,"clean/will2","reset happened",1,0
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    When I send AT+RST
    Then the device answers OK
    And the device reports ready
    And the connection of "clean-2" closed without DISCONNECT
    And the broker delivered "reset happened" on "clean/will2" to subscribers

  Scenario: CLEAN before any configuration is refused
    When I send AT+MQTTCLEAN=0
    Then the device answers:
      """
      ERR CODE:0x010a6003
      ERROR
      """

  Scenario: CLEAN twice is refused the second time
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"clean-3","","",0,0,""
      AT+MQTTCLEAN=0
      """
    When I send AT+MQTTCLEAN=0
    Then the device answers:
      """
      ERR CODE:0x010a6003
      ERROR
      """

  Scenario Outline: bad parameters are refused with their error code
    Given I have sent AT+MQTTUSERCFG=0,1,"clean-4","","",0,0,""
    When I send AT+MQTTCLEAN=<params>
    Then the device answers:
      """
      ERR CODE:<code>
      ERROR
      """

    Examples:
      | params | code       |
      | 1      | 0x010a6011 |
      | x      | 0x010a6010 |
      | 0,1    | 0x010a6008 |
