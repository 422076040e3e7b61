# UDPClient.py - task 1
import os
import sys
import time
from datetime import datetime
from socket import *

serverName = os.environ.get('SERVER_HOST', 'server')
serverPort = int(os.environ.get('SERVER_PORT', '12000'))

clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(2)
message = input('Input lowercase sentence: ')

t_send = datetime.now()
try:
    clientSocket.sendto(message.encode(), (serverName, serverPort))
    modifiedMessage, serverAddress = clientSocket.recvfrom(65535)
except OSError as e:
    sys.exit('UDP client error: ' + str(e))
t_recv = datetime.now()

print()
print('From Server:', modifiedMessage.decode())
print('Sent:', t_send.isoformat(sep=' '))
print('Received:', t_recv.isoformat(sep=' '))
print('RTT:', (t_recv - t_send).total_seconds() * 1000, 'ms')
clientSocket.close()
